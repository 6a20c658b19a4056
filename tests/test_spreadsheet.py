"""Spreadsheet-ready files: XLSX with real Excel tables, formats and safe cells; a ';' CSV that Swedish Excel
reads as numbers and booleans. Read back the way Swedish Excel would (openpyxl; the sv_SE number symbols)."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.io.spreadsheet import XLSX_MAX_CELL, CellFixes, csv_value, xlsx_value
from stamning.io.tables import write_table

runner = CliRunner()
ANSI = "\x1b[31mRÖTT\x1b[0m"
LONG = "Lång åsikt om förvaltningen. " * 1400  # > 32,767 characters


@pytest.fixture(scope="module")
def hostile_survey(tmp_path_factory):
    path = tmp_path_factory.mktemp("fientlig") / "svar.csv"
    rows = [
        "id;omgång;kommentar",
        "1;2026;Fantastisk chef, alltid lyhörd!",
        f"2;2026;Klistrat från systemet:\x0bvertikal tabb och {ANSI}",
        "3;2026;Styrkort\x01\x02 med styrtecken, men bra möten",
        f'4;2026;"{LONG}"',
        "5;2026;Dåligt bemötande på äldreomsorgen",
        "6;2026;",
    ]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def _swedish_excel_cell(text: str):
    """A CSV cell as Swedish Excel reads it: sant/falskt are booleans, digits with the sv_SE decimal symbol
    (and nothing else) are numbers, everything else stays text."""
    from babel.numbers import get_decimal_symbol, get_minus_sign_symbol

    dec = get_decimal_symbol("sv_SE")
    if text.lower() in ("sant", "falskt"):
        return text.lower() == "sant"
    minus = f"[-{re.escape(get_minus_sign_symbol('sv_SE'))}]"
    if re.fullmatch(rf"{minus}?\d+({re.escape(dec)}\d+)?", text):
        return float(text.replace(dec, ".").replace(get_minus_sign_symbol("sv_SE"), "-"))
    return text


def test_classify_xlsx_survives_cells_excel_cannot_hold(hostile_survey, tmp_path, tiny_model_dir):
    from openpyxl import load_workbook

    out = tmp_path / "ut.xlsx"
    result = runner.invoke(app, ["classify", str(hostile_survey), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())
    assert "6 rader" in line and "2 celler med tecken som Excel inte kan lagra" in line
    assert "1 cell kortade till 32 767 tecken" in line and "oväntat fel" not in line
    wb = load_workbook(out)
    [ws] = wb.worksheets
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5, 6] or [str(r["id"]) for r in rows] == list("123456")
    assert rows[1]["kommentar"] == "Klistrat från systemet:\ufffdvertikal tabb och \ufffd[31mRÖTT\ufffd[0m"
    assert rows[2]["kommentar"].startswith("Styrkort\ufffd\ufffd med")
    assert len(rows[3]["kommentar"]) == XLSX_MAX_CELL and "kortades till 32 767 tecken" in rows[3]["reason"]
    assert rows[5]["status"] == "skipped" and rows[5]["reason"]
    # a real table over all rows, a frozen header, numbers and booleans stored as such
    [table] = ws.tables.values()
    assert table.ref == f"A1:{ws.cell(1, len(head)).column_letter}7" and ws.freeze_panes == "A2"
    assert isinstance(rows[0]["sentiment_score"], float) and isinstance(rows[0]["mixed"], bool)
    score = ws.cell(2, head.index("sentiment_score") + 1)
    assert score.number_format == "0.00" and ws.cell(2, head.index("p_positiv") + 1).number_format == "0.0%"


def test_classify_csv_opens_as_numbers_and_booleans_in_swedish_excel(hostile_survey, tmp_path, tiny_model_dir):
    out = tmp_path / "ut.csv"
    result = runner.invoke(app, ["classify", str(hostile_survey), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM tells Excel it is UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 6
    ok = [r for r in rows if r["status"] == "ok"]
    for r in ok:
        for col in ("sentiment_score", "sentiment_confidence", "p_mycket_negativ", "p_positiv"):
            assert isinstance(_swedish_excel_cell(r[col]), float), (col, r[col])
        assert isinstance(_swedish_excel_cell(r["mixed"]), bool)
    assert -2 <= _swedish_excel_cell(ok[0]["sentiment_score"]) <= 2
    assert rows[5]["sentiment_score"] == "" and rows[5]["mixed"] == ""


def test_summarize_reads_back_the_swedish_csv(hostile_survey, tmp_path, tiny_model_dir):
    out = tmp_path / "ut.csv"
    assert (
        runner.invoke(app, ["classify", str(hostile_survey), "-o", str(out), "--model", str(tiny_model_dir)]).exit_code
        == 0
    )
    result = runner.invoke(app, ["summarize", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"n_classified": 5' in result.output


def test_xlsx_report_with_control_characters_and_a_huge_quote(tmp_path):
    from openpyxl import load_workbook

    from stamning.report import render as report
    from stamning.summary.rounds import summarize
    from test_summarize import frame, row

    rows = [row("positiv", "ledarskap", text=f"Bra ledning {i}\x0b{ANSI}") for i in range(12)]
    rows.append(row("mycket_negativ", "bemotande", text=LONG))
    fixes = CellFixes()
    path = report.to_xlsx(summarize(frame(rows)), tmp_path / "r.xlsx", fixes)
    assert fixes.replaced >= 1 and fixes.cut == 1
    wb = load_workbook(path)
    texts = [c for ws in wb for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert any("\ufffd[31mRÖTT" in t for t in texts) and max(len(t) for t in texts) == XLSX_MAX_CELL


def test_redact_xlsx_output_with_a_control_character(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id;kommentar\n1;Ring 070-174 06 23\x0b nu\n2;Bra chef\n", "utf-8")
    out = tmp_path / "maskad.xlsx"
    result = runner.invoke(app, ["redact", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    values = [r for r in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert len(values) == 2 and "070-174" not in str(values) and "\ufffd" in str(values[0])


def test_write_table_xlsx_is_a_table_with_widths(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "kommentar": ["Kort", "En längre kommentar om arbetsmiljön"],
            "andel": [0.25, 0.5],
            "klar": [True, False],
        }
    )
    ws = load_workbook(write_table(frame, tmp_path / "t.xlsx")).active
    assert list(ws.tables.values())[0].ref == "A1:D3" and ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    assert [c.value for c in ws[2]] == [1, "Kort", 0.25, True]


def test_characters_xml_cannot_hold_are_replaced_not_fatal(tmp_path):
    from openpyxl import load_workbook

    texts = pd.Series(["a\ud800b", "c\ufffed", "e\x1bf"], dtype=object)  # e.g. from JSONL "\\ud800" escapes
    frame = pd.DataFrame({"text": texts})
    ws = load_workbook(write_table(frame, tmp_path / "x.xlsx")).active
    assert [c.value for (c,) in ws.iter_rows(min_row=2)] == ["a\ufffdb", "c\ufffdd", "e\ufffdf"]


def test_duplicate_case_headers_get_a_filter_instead_of_a_table(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame([["a", "b"]], columns=["Text", "text"])
    ws = load_workbook(write_table(frame, tmp_path / "d.xlsx")).active
    assert not ws.tables and ws.auto_filter.ref == "A1:B2"


@pytest.mark.parametrize(
    "value,expected",
    [
        (0.8123, "0,8123"),
        (-1.5, "-1,5"),
        (1e-05, "0,00001"),
        (2.0, "2"),
        (True, "sant"),
        (False, "falskt"),
        (None, ""),
        (float("nan"), ""),
        (7, 7),
        ("=1+1", "'=1+1"),
        ("0.5", "0.5"),
        ("å\ud800", "å\ufffd"),
    ],
)
def test_csv_value(value, expected):
    assert csv_value(value) == expected


def test_xlsx_value_counts_what_it_changes():
    fixes = CellFixes()
    assert xlsx_value("a\x00b\x1fc\td\ne", fixes) == "a\ufffdb\ufffdc\td\ne"  # tab and newline are fine
    assert xlsx_value("x" * (XLSX_MAX_CELL + 5), fixes) == "x" * XLSX_MAX_CELL
    assert xlsx_value({"a": 1}) == "{'a': 1}" and xlsx_value(float("nan")) is None
    assert xlsx_value("a\ud800b\ufffec\uffff") == "a\ufffdb\ufffdc\ufffd"  # XML cannot hold these at all
    assert (fixes.replaced, fixes.cut) == (1, 1)
    assert (
        fixes.note()
        == "1 cell med tecken som Excel inte kan lagra (ersatta med \ufffd); 1 cell kortade till 32 767 tecken"
    )


def test_summarize_xlsx_report_counts_replaced_cells_in_its_summary_line(tmp_path):
    from test_summarize import frame, row

    rows = [row("positiv", "ledarskap", round="2026", text=f"Bra ledning på enheten {i}\x0b{ANSI}") for i in range(12)]
    path = tmp_path / "klassade.parquet"
    frame(rows).drop(columns=["group", "index"]).to_parquet(path)
    result = runner.invoke(app, ["summarize", str(path), "-o", str(tmp_path / "rapport.xlsx")])
    assert result.exit_code == 0, result.output
    line = " ".join(result.output.split())
    assert "Skrev rapporten till" in line and "med tecken som Excel inte kan lagra" in line


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=40))
def test_any_text_becomes_a_cell_an_xlsx_file_can_hold(text):
    from openpyxl import Workbook, load_workbook

    value = xlsx_value(text)
    wb = Workbook()
    wb.active["A1"] = value  # raises IllegalCharacterError for what Excel cannot hold
    buffer = io.BytesIO()
    wb.save(buffer)
    back = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].value
    lines = lambda v: v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v  # noqa: E731
    assert lines(back) == lines(value or None)  # XML reads a carriage return as a line feed
