"""A "?" of a lost character's shape in a Windows-1252 export (an emoji the export could not hold): the model
reads the text without it, the output keeps the text, the CLI says how many and how to keep them; UTF-8 is
untouched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.engines.local import classify_file
from stamning.io.lost_marks import count_lost_marks, texts_for_model, without_lost_marks
from stamning.io.tables import read_comments
from stamning.records import SENTIMENT_LEVELS

runner = CliRunner()
SAID = "För mycket att göra och för få på golvet"  # negative in the tiny model's training data
LOST = SAID + " ?"  # "... 😕" as a cp1252 export writes it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mötena är för långa ?", "Mötena är för långa"),
        ("Bra chef ? Tack för i år", "Bra chef Tack för i år"),
        ("? Tråkigt ??", "Tråkigt"),
        ("Varför får vi aldrig veta?", "Varför får vi aldrig veta?"),  # a question mark on a word: kept
        ("Så fint?? Tack", "Så fint Tack"),  # ❤️ is two code points: "??"
        ("tack för att du bidrar?det betyder mycket", "tack för att du bidrar det betyder mycket"),
        ("Hur mår du? Bra, tack.", "Hur mår du? Bra, tack."),
        ("?", "?"),  # nothing else left: kept as it was
        ("", ""),
    ],
)
def test_only_standalone_question_marks_are_left_out(text, expected):
    assert without_lost_marks(text) == expected


def test_only_a_legacy_encoding_loses_characters():
    texts = ["Bra ?", "Varför?", None, 3.0]
    assert texts_for_model(texts, "utf-8-sig") == texts and count_lost_marks(texts, "utf-8-sig") == 0
    assert texts_for_model(texts, "cp1252") == ["Bra", "Varför?", None, 3.0]
    assert count_lost_marks(texts, "cp1252") == 1


def _write(path, encoding: str) -> None:
    path.write_bytes(f"id;text\nå1;{LOST}\nå2;{SAID}\n".encode(encoding))


def _probs(frame: pd.DataFrame, row: int) -> np.ndarray:
    return frame.loc[row, [f"p_{level}" for level in SENTIMENT_LEVELS]].to_numpy(dtype=float)


def test_a_cp1252_file_is_read_without_its_lost_characters(tiny_model, tmp_path):
    with_mark, without = tiny_model.predict_proba([LOST, SAID], precision="fp32")[0]
    assert not np.allclose(with_mark, without, atol=1e-4)  # the "?" changes what the tiny model says
    for encoding, expected in (("cp1252", without), ("utf-8", with_mark)):
        source = tmp_path / f"svar_{encoding}.csv"
        _write(source, encoding)
        assert read_comments(source).encoding == ("cp1252" if encoding == "cp1252" else "utf-8-sig")
        out = tmp_path / f"ut_{encoding}.csv"
        classify_file(source, out, model=tiny_model, precision="fp32")
        frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"id": str})
        assert frame["text"].tolist() == [LOST, SAID] and frame["id"].tolist() == ["å1", "å2"]  # text kept
        np.testing.assert_allclose(_probs(frame, 0), expected, atol=1e-4)


def test_the_cli_says_how_many_and_how_to_keep_them_without_the_comments(tiny_model_dir, tmp_path):
    source = tmp_path / "enkät.csv"
    _write(source, "cp1252")
    result = runner.invoke(
        app, ["classify", str(source), "-o", str(tmp_path / "ut.csv"), "--model", str(tiny_model_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "Obs: 1 kommentar i enkät.csv har '?' där exporten (Windows-1252) troligen tappat" in result.output
    assert "'CSV UTF-8'" in result.output and "golvet" not in result.output

    _write(source, "utf-8")
    result = runner.invoke(
        app, ["classify", str(source), "-o", str(tmp_path / "ut2.csv"), "--model", str(tiny_model_dir)]
    )
    assert result.exit_code == 0 and "Windows-1252" not in result.output


def test_summarize_reads_the_same_way_and_says_so(tiny_model_dir, tmp_path):
    source = tmp_path / "enkät.csv"
    _write(source, "cp1252")
    result = runner.invoke(app, ["summarize", str(source), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count("Obs: 1 kommentar i enkät.csv") == 1  # in the summary, said once
    report = tmp_path / "rapport.md"
    result = runner.invoke(app, ["summarize", str(source), "--model", str(tiny_model_dir), "-o", str(report)])
    assert result.exit_code == 0, result.output
    assert "> Obs: 1 kommentar i enkät.csv har '?'" in report.read_text("utf-8")  # for the report's readers


def test_compare_says_so_too(tiny_model_dir, tmp_path):
    source = tmp_path / "omgångar.csv"
    rows = "".join(f"{i};{2024 + i % 2};{LOST if i == 0 else SAID}\n" for i in range(12))
    source.write_bytes(f"id;Omgång;text\n{rows}".encode("cp1252"))
    result = runner.invoke(app, ["compare", str(source), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    assert "Obs: 1 kommentar i omgångar.csv har '?'" in result.output


def _wide(tmp_path):
    """A wide Windows-1252 export: one row a respondent, two free-text questions."""
    source = tmp_path / "bred.csv"
    rows = "".join(f"r{i};2026;{LOST if i == 0 else SAID};Inga synpunkter\n" for i in range(6))
    source.write_bytes(f"Respondent;Omgång;Vad kan bli bättre?;Övrigt\n{rows}".encode("cp1252"))
    return source


def test_a_wide_export_is_read_the_same_way(tiny_model, tiny_model_dir, tmp_path):
    from stamning.io.wide import read_wide

    source = _wide(tmp_path)
    table = read_wide(source, questions=["Vad kan bli bättre?", "Övrigt"])
    assert table.encoding == "cp1252" and table.lost_marks() == 1 and SAID in table.model_texts()
    out = tmp_path / "ut.csv"
    asked = ["--wide", "--question", "Vad kan bli bättre?", "--question", "Övrigt", "--model", str(tiny_model_dir)]
    result = runner.invoke(app, ["classify", str(source), "-o", str(out), *asked])
    assert result.exit_code == 0, result.output
    assert "Obs: 1 kommentar i" in result.output
    frame = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert LOST in frame["text"].tolist()  # the output keeps the text as it was
    lost, said = (frame[frame["text"] == t].iloc[0] for t in (LOST, SAID))
    assert [lost[f"p_{level}"] for level in SENTIMENT_LEVELS] == [said[f"p_{level}"] for level in SENTIMENT_LEVELS]
    result = runner.invoke(app, ["summarize", str(source), *asked])
    assert result.exit_code == 0 and result.output.count("Obs: 1 kommentar i bred.csv") == 1, result.output


def test_the_note_counts_in_swedish():
    from stamning.io.lost_marks import lost_marks_note

    assert lost_marks_note(1, "a.csv").startswith("1 kommentar i a.csv har")
    assert lost_marks_note(3, "a.csv").startswith("3 kommentarer i a.csv har")
