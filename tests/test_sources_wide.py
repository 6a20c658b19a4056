"""Wide survey exports: each free-text question becomes rows of its own; nothing is dropped."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.errors import ColumnError
from stamning.io.wide import is_free_text, read_wide

runner = CliRunner()
HEADER = "Respondent;År;Enhet;Hur nöjd är du? (1-5);Trivs du?;Vad fungerar bra?;Övriga synpunkter"
ROWS = [
    "r1;2026;Skola;4;Instämmer helt;Kollegorna är hjälpsamma och glada;Mer fika på fredagar",
    "r2;2026;Skola;2;Instämmer inte;Schemat är tydligt och bra planerat;",
    "r3;2026;Vård;5;Instämmer helt;Chefen lyssnar alltid på oss alla;Bättre lön önskas",
    "r4;2026;Vård;3;Instämmer delvis;Samarbetet i gruppen fungerar utmärkt;Ventilationen är dålig",
    "r5;2026;Vård;1;Instämmer inte;Ingenting just nu tyvärr, allt är rörigt;För hög arbetsbelastning",
    ";2026;Skola;4;Instämmer helt;Öppet klimat och högt i tak här;Inga",
]


@pytest.fixture
def wide_file(tmp_path):
    path = tmp_path / "medarbetarenkät.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", "utf-8")
    return path


def test_each_question_becomes_rows_and_nothing_is_lost(wide_file, caplog):
    with caplog.at_level(logging.WARNING, logger="stamning.sources"):
        table = read_wide(wide_file)
    frame = table.frame
    assert len(frame) == 12  # 6 respondents x 2 free-text questions, the empty answer included
    assert frame["fråga"].unique().tolist() == ["Vad fungerar bra?", "Övriga synpunkter"]
    assert frame["id"].tolist()[:4] == ["r1:1", "r1:2", "r2:1", "r2:2"]
    assert frame["id"].tolist()[-2:] == ["6:1", "6:2"]  # no respondent id: the row number
    assert frame.loc[3, "text"] == ""  # r2 left "Övriga synpunkter" empty: kept, classified as "tom text"
    assert frame.loc[0, "Enhet"] == "Skola" and frame.loc[0, "Hur nöjd är du? (1-5)"] == "4"  # carried along
    assert (table.columns.text, table.columns.id, table.columns.round, table.columns.group) == (
        "text",
        "id",
        "År",
        "fråga",
    )
    assert "2 frågor i fritext (Vad fungerar bra?, Övriga synpunkter)" in caplog.text
    assert "följer med på varje rad: År, Enhet, Hur nöjd är du? (1-5), Trivs du?" in caplog.text


def test_named_questions_and_unknown_names(wide_file):
    table = read_wide(wide_file, questions=["övriga synpunkter"], group_column="Enhet")
    assert table.frame["fråga"].unique().tolist() == ["Övriga synpunkter"] and table.columns.group == "Enhet"
    with pytest.raises(ColumnError, match="ingen kolumn 'Fråga 9'.*Vad fungerar bra"):
        read_wide(wide_file, questions=["Fråga 9"])


def test_no_free_text_found_names_the_columns(tmp_path):
    path = tmp_path / "betyg.csv"
    path.write_text("Id;Betyg;Trivs\n1;4;Ja\n2;5;Nej\n", "utf-8")
    with pytest.raises(ColumnError, match="ingen fritextfråga bland kolumnerna Id, Betyg, Trivs.*--question"):
        read_wide(path)


@pytest.mark.parametrize(
    "name, values, expected",
    [
        (
            "Vad kan bli bättre?",
            ["Mer tid för planering", "Tydligare mål från ledningen", "Färre möten på måndagar"],
            True,
        ),
        ("Kommentar", ["Bra", "Nej", "Ok"], True),  # the name says free text
        ("Trivsel", ["Instämmer inte alls"] * 5 + ["Instämmer helt och hållet"] * 5, False),  # a rating scale
        ("Poäng", ["3", "4,5", "2"], False),
        ("Tom", ["", None, float("nan")], False),
    ],
)
def test_free_text_guess(name, values, expected):
    assert is_free_text(name, values) is expected


def test_summary_per_question(wide_file, tiny_model_dir, tmp_path):
    out = tmp_path / "rapport.json"
    result = runner.invoke(
        app,
        [
            "summarize",
            str(wide_file),
            "--wide",
            "--by",
            "group",
            "--model",
            str(tiny_model_dir),
            "--min-group",
            "2",
            "--min-quote-group",
            "2",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 frågor i fritext" in result.output
    data = json.loads(out.read_text("utf-8"))
    assert [g["group"] for g in data["rounds"][0]["groups"]] == ["Vad fungerar bra?", "Övriga synpunkter"]


def test_classify_wide_keeps_every_answer(wide_file, tiny_model_dir, tmp_path):
    out = tmp_path / "klassat.parquet"
    store = tmp_path / "r.sqlite"
    result = runner.invoke(
        app,
        ["classify", str(wide_file), "--wide", "-o", str(out), "--model", str(tiny_model_dir), "--store", str(store)],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert len(frame) == 12 and frame["status"].tolist().count("skipped") == 1
    assert "12 rader tillagda" in result.output
    assert not list(tmp_path.glob(".*lång*"))  # the long form is removed after the run


def test_the_long_form_is_the_same_each_time_so_resume_works(wide_file, tmp_path):
    from stamning.engines.stream import input_fingerprint
    from stamning.io.wide import write_long

    first = write_long(wide_file, tmp_path / "ut.csv")
    fingerprint = input_fingerprint(first)
    first.unlink()
    again = write_long(wide_file, tmp_path / "ut.csv")
    assert input_fingerprint(again) == fingerprint
    assert pd.read_parquet(again)["fråga"].tolist()[:2] == ["Vad fungerar bra?", "Övriga synpunkter"]
