"""The command line via typer's CliRunner: exit codes, one-line messages, every row out again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.records import OUTPUT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
SECRET = "Hemligt: Kalle på enhet 3 grät igår"


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "enkät.csv"
    rows = [
        "Respondent;Omgång;Grupp;Kommentar",
        "R1;2025;A;Fantastisk chef, alltid lyhörd!",
        "R2;2025;A;",
        f"R3;2025;B;{SECRET}",
        "R4;2026;B;Informationen kommer ofta för sent.",
        "R5;2026;B;   ",
        "R6;2026;A;Väldigt dåligt bemötande 😡",
    ]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8"))
    return path


def test_help_is_swedish():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Klassificera" in result.output and "sammanfattningar" in result.output
    sub = runner.invoke(app, ["classify", "--help"])
    assert sub.exit_code == 0 and "--text-column" in sub.output


def test_the_stamning_command_is_main_which_runs_the_app_then_freezes_what_is_left(monkeypatch, capsys):
    import gc
    import sys
    import tomllib

    from stamning import __version__
    from stamning.cli import main

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts["stamning"] == "stamning.cli:main"  # the console script goes through main, not the bare app
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # typer's app() installs its own
    gc.unfreeze()
    try:
        monkeypatch.setattr(sys, "argv", ["stamning", "--version"])
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code in (0, None)
        assert capsys.readouterr().out.strip() == f"stamning {__version__}"
        assert gc.get_freeze_count() > 0  # the interpreter's shutdown will skip these
        gc.unfreeze()
        monkeypatch.setattr(sys, "argv", ["stamning", "finns-inte"])
        with pytest.raises(SystemExit) as failed:
            main()
        assert failed.value.code == 2  # a usage error's exit code passes through main unchanged
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual


def test_classify_keeps_every_row_in_order(survey, tmp_path, tiny_model_dir):
    out = tmp_path / "ut.csv"
    result = runner.invoke(app, ["classify", str(survey), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert "6 rader: 4 klassificerade, 2 hoppade över" in result.output
    frame = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert frame["Respondent"].tolist() == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert frame["status"].tolist() == ["ok", "skipped", "ok", "ok", "skipped", "ok"]
    assert frame.loc[1, "reason"] == "tom text"
    for col in OUTPUT_COLUMNS:
        assert col in frame.columns
    assert frame.loc[0, "Kommentar"] == "Fantastisk chef, alltid lyhörd!"


@pytest.mark.parametrize("suffix", [".xlsx", ".jsonl", ".parquet"])
def test_classify_other_formats(survey, tmp_path, tiny_model_dir, suffix):
    out = tmp_path / f"ut{suffix}"
    result = runner.invoke(app, ["classify", str(survey), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    from stamning.io.tables import read_frame

    frame = read_frame(out)
    assert len(frame) == 6 and "sentiment_score" in frame.columns


@pytest.mark.parametrize(
    "args,needle",
    [
        (["classify", "saknas.csv", "-o", "x.csv"], "filen finns inte"),
        (["classify", "{survey}", "-o", "x.csv", "--text-column", "Fritext"], "ingen kolumn 'Fritext'"),
        (["classify", "{survey}", "-o", "x.docx"], "kan inte skriva .docx"),
        (["classify", "{survey}", "-o", "x.csv", "--model", "/finns/inte"], "modellmappen finns inte"),
    ],
)
def test_errors_are_one_line_without_traceback(survey, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{survey}", str(survey)) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert needle in result.output
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("Fel:")


def test_missing_output_folder_leaves_nothing(survey, tmp_path, tiny_model_dir):
    result = runner.invoke(
        app, ["classify", str(survey), "-o", str(tmp_path / "nej" / "ut.csv"), "--model", str(tiny_model_dir)]
    )
    assert result.exit_code != 0 and "finns inte" in result.output


def test_unexpected_errors_never_print_comment_text(survey, tmp_path, tiny_model_dir, monkeypatch):
    import stamning.model.inference as inference

    def leak(*args, **kwargs):
        raise RuntimeError(f"could not handle {SECRET}")

    monkeypatch.setattr(inference, "run_segments", leak)
    result = runner.invoke(
        app, ["classify", str(survey), "-o", str(tmp_path / "u.csv"), "--model", str(tiny_model_dir)]
    )
    assert result.exit_code == 1
    assert "RuntimeError" in result.output and "--debug" in result.output
    assert SECRET not in result.output
    debug = runner.invoke(
        app, ["--debug", "classify", str(survey), "-o", str(tmp_path / "u.csv"), "--model", str(tiny_model_dir)]
    )
    assert "Traceback" in debug.output


def test_evaluate_prints_metrics(tiny_model_dir, labelled_file, tmp_path):
    out = tmp_path / "m.json"
    result = runner.invoke(
        app, ["evaluate", "--data", str(labelled_file), "--model", str(tiny_model_dir), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "Förväxlingsmatris" in result.output
    import json

    metrics = json.loads(out.read_text())
    assert metrics["sentiment"]["accuracy"] >= 0.9


def test_train_command_bad_mode(labelled_file, tmp_path):
    result = runner.invoke(app, ["train", "--data", str(labelled_file), "-o", str(tmp_path / "m"), "--mode", "half"])
    assert result.exit_code == 2
    assert "--mode half: okänt värde; tillåtna värden: heads, lora, full" in result.output


def test_evaluate_reports_rows_without_text(tiny_model_dir, labelled_file, tmp_path):
    data = tmp_path / "with_dash.jsonl"
    extra = '{"id": "tomt-1", "text": "-", "sentiment": "neutral", "themes": []}\n'
    data.write_text(labelled_file.read_text("utf-8") + extra, "utf-8")
    out = tmp_path / "m.json"
    result = runner.invoke(app, ["evaluate", "--data", str(data), "--model", str(tiny_model_dir), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 rader utan text" in result.output and "tomt-1" in result.output
    import json

    metrics = json.loads(out.read_text())
    assert metrics["left_out"] == [{"id": "tomt-1", "reason": "ingen text att tolka (bara skiljetecken)"}]
    assert metrics["sentiment"]["n"] == len(labelled_file.read_text("utf-8").splitlines())
