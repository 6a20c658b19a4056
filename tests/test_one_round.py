"""One survey round (the most common file an HR user has): the summary is complete without a comparison,
in every format; `compare` says clearly that it needs two rounds and which column it read as the round."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import frame, row
from stamning.cli.app import app
from stamning.summary.rounds import summarize

runner = CliRunner()

COMMENTS = [
    ("Ledning", "Väldigt bra bemötande, jag känner mig sedd på mötena."),
    ("Ledning", "Tydlig och ärlig kommunikation från förvaltningen."),
    ("Ledning", "Bra samarbete med nämnden i år, tack för det."),
    ("Ekonomi", "Rapporterna kommer för sent och är svåra att förstå."),
    ("Ekonomi", "Jag är nöjd med stödet från ekonomiavdelningen."),
    ("Ekonomi", "Mötena är för långa och alldeles för många."),
    ("Ekonomi", "Fantastiskt ledarskap under ett tufft år, stort tack!"),
    ("Ekonomi", "Jag blir utfrusen och vågar inte säga vad jag tycker."),
]


@pytest.fixture(scope="module")
def one_round_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("en") / "svar.csv"
    lines = ["id;omgång;grupp;kommentar"] + [f"{i};2026;{g};{t}" for i, (g, t) in enumerate(COMMENTS, 1)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def one_round_classified(one_round_csv, tiny_model_dir):
    out = one_round_csv.with_name("klassade.parquet")
    result = runner.invoke(app, ["classify", str(one_round_csv), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["md", "json", "html", "xlsx"])
def test_one_round_summary_in_every_file_format(one_round_classified, tmp_path, fmt):
    out = tmp_path / f"rapport.{fmt}"
    result = runner.invoke(app, ["summarize", str(one_round_classified), "-o", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        assert "Jämförelser" not in wb.sheetnames and "Översikt" in wb.sheetnames
        assert [r[0] for r in wb["Översikt"].iter_rows(min_row=2, values_only=True)] == [2026]
        return
    text = out.read_text("utf-8")
    assert "2026" in text and "8 kommentarer" in text
    assert "Jämförelser" not in text
    if fmt == "json":
        data = json.loads(text)
        assert [r["round"] for r in data["rounds"]] == ["2026"] and "comparisons" not in data


def test_one_round_summary_on_the_terminal_from_the_raw_export(one_round_csv, tiny_model_dir):
    result = runner.invoke(app, ["summarize", str(one_round_csv), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert "Omgång 2026" in result.output and "8 kommentarer" in result.output
    assert "Fel" not in result.output


def test_one_round_by_round_and_group_where_every_group_is_under_min_group(one_round_classified):
    result = runner.invoke(
        app,
        [
            "summarize",
            str(one_round_classified),
            "--by",
            "round,group",
            "-f",
            "json",
            "--min-group",
            "6",
            "--min-quote-group",
            "6",
        ],
    )
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.output)["rounds"]
    assert r["n"] == 8 and not r["suppressed"]
    assert {g["group"]: g["suppressed"] for g in r["groups"]} == {"Ekonomi": True, "Ledning": True}
    assert all(g["net_score"] is None for g in r["groups"])


def test_one_round_with_one_group():
    df = frame(
        [row("positiv", "ledarskap", round="2026", group="Äldreomsorg") for _ in range(6)]
        + [row("negativ", "arbetsmiljo", round="2026", group="Äldreomsorg") for _ in range(2)]
    )
    s = summarize(df, by=("round", "group"), include_comparison=True)
    [r] = s.rounds
    assert s.comparisons == [] and "comparisons" not in s.to_dict()
    [g] = r.groups
    # one group is the whole round: hiding it protects nobody, so its figures are the round's
    assert g.group == "Äldreomsorg" and g.n == 8 and not g.suppressed


def test_compare_with_one_round_names_the_round_column_and_the_count(one_round_classified):
    result = runner.invoke(app, ["compare", str(one_round_classified)])
    assert result.exit_code == 2
    line = " ".join(result.output.split())
    assert "minst två omgångar" in line and "'omgång'" in line and "1 (2026)" in line
    assert "Traceback" not in result.output and "Väldigt bra" not in result.output


def test_compare_refuses_one_round_before_classifying(one_round_csv, monkeypatch):
    import stamning.engines.local

    def no_model(*args, **kwargs):
        raise AssertionError("the model should not be loaded for a file with one round")

    monkeypatch.setattr(stamning.engines.local, "load_model", no_model)
    result = runner.invoke(app, ["compare", str(one_round_csv)])
    assert result.exit_code == 2 and "minst två omgångar" in result.output and "'omgång'" in result.output


def test_a_file_without_a_round_column_is_one_round_with_a_note(tmp_path, tiny_model_dir):
    """The simplest real file: eight comments, no round column, Excel's UTF-16 "Unicode text" export."""
    path = tmp_path / "svar.csv"
    text = "id\tkommentar\tgrupp\r\n" + "".join(f"{i}\t{t}\t{g}\r\n" for i, (g, t) in enumerate(COMMENTS, 1))
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    result = runner.invoke(app, ["summarize", str(path), "--model", str(tiny_model_dir), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["n"] for r in data["rounds"]] == [8] and not data.get("comparisons")
    assert any("ingen omgångskolumn" in note for note in data.get("notes", []))
    explicit = runner.invoke(app, ["summarize", str(path), "--model", str(tiny_model_dir), "--by", "round"])
    assert explicit.exit_code == 2 and "hittade ingen omgångskolumn" in explicit.output
