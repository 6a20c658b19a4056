"""Renderers: Markdown, JSON, HTML (self-contained), terminal and Excel show only what the summary allows."""

from __future__ import annotations

import io
import json
import re

import pytest

from conftest import frame, row
from stamning.report import render as report
from stamning.summary.rounds import HIDDEN_QUOTE, summarize

SECRET = "HEMLIG åsikt från Örjan i revisionen"
LOUD = "<script>alert('å')</script> | *fet* =1+1"


@pytest.fixture(scope="module")
def summary():
    rows = []
    for rnd, pos in (("2024", 12), ("2025", 20)):
        rows += [
            row("positiv", "ledarskap", round=rnd, group="Medarbetare", text=f"Tydlig ledning, tack ({rnd})")
            for _ in range(pos)
        ]
        rows.append(row("mycket_negativ", "bemotande", round=rnd, group="Medarbetare", text=LOUD, id=f"X{rnd}"))
        rows += [row("positiv", "kommunikation", round=rnd, group="Chefer", text=f"Bra info ({rnd})") for _ in range(6)]
        rows += [row("negativ", "krankning", round=rnd, group="Revisorer", text=SECRET) for _ in range(2)]
        rows += [row("positiv", "stod", round=rnd, group="Politiker", text=SECRET, index=72.0) for _ in range(8)]
    return summarize(frame(rows), by=("round", "group"), include_comparison=True)


def test_fixture_is_what_the_renderer_tests_assume(summary):
    r = summary.rounds[0]
    hidden = {g.group for g in r.groups if g.suppressed}
    assert hidden == {"Revisorer", "Chefer"}  # 2 rows, plus the complement
    politiker = next(g for g in r.groups if g.group == "Politiker")
    assert not politiker.quotes_shown and politiker.themes[0].typical_positive.text == HIDDEN_QUOTE
    # Revisorer's sensitive comments are listed at round level, with text (round has ≥ 10 rows) but no group
    assert {a.group for a in r.attention if "krankning" in a.themes} == {None}
    # the loud remark is an outlier and an attention item: quoted once (attention list), referred to elsewhere
    [loud] = [a for a in r.attention if a.id == "X2024"]
    assert loud.text == LOUD and r.outliers and r.outliers[0].text is None and r.outliers[0].ref == loud.ref


def test_json_round_trips_with_swedish_letters(summary):
    text = report.to_json(summary)
    assert "känsligt tema: kränkning och trakasserier" in text  # ensure_ascii=False keeps å/ä/ö
    d = json.loads(text)
    assert d["schema_version"] == 2 and len(d["rounds"]) == 2 and len(d["comparisons"]) == 1
    assert d == json.loads(json.dumps(summary.to_dict()))


def test_html_is_self_contained_and_escapes_text(summary):
    html = report.to_html(summary)
    assert html.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="sv">' in html and "<style>" in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "http://" not in html and "https://" not in html and "<script" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "Omgång 2024" in html and "Jämförelser mellan omgångar" in html
    assert "1 av 21 kommentarer är mycket negativ (bemötande)." in html


def test_no_renderer_shows_text_of_hidden_quotes():
    # a round with 8 respondents: figures shown, quotes hidden everywhere, attention included
    rows = [row("positiv", "ledarskap", text=SECRET) for _ in range(7)]
    rows.append(row("mycket_negativ", "krankning", text=SECRET + " (kränkt)"))
    s = summarize(frame(rows))
    assert not s.rounds[0].quotes_shown and s.rounds[0].attention
    console = _console()
    report.to_terminal(s, console)
    outputs = [report.to_html(s), report.to_markdown(s), report.to_json(s), console.file.getvalue()]
    for out in outputs:
        assert "HEMLIG" not in out
        assert HIDDEN_QUOTE in out


def test_markdown_renders_round_tables_and_escapes(summary):
    md = report.to_markdown(summary)
    assert md.startswith("# Sammanfattning av fritextsvar\n")
    assert "## Omgång 2024" in md and "## Omgång 2025" in md
    assert "| Andel positiva (95 % intervall) |" in md
    assert "### Avvikande kommentarer" in md and "### Att uppmärksamma" in md and "### Grupper" in md
    assert "dold: färre än 5 svarande" in md
    assert "&lt;script&gt;" in md and "\\| \\*fet\\*" in md  # no raw HTML, no broken tables
    assert "<script>" not in md
    for line in md.splitlines():
        if line.startswith("|"):
            assert line.endswith("|")
    # a hidden group gets no block of its own
    assert "#### Revisorer" not in md and "#### Medarbetare" in md
    assert "## Jämförelser mellan omgångar" in md and "- Sammantaget: ingen säkerställd förändring" in md


def _console():
    from rich.console import Console

    return Console(file=io.StringIO(), width=110, force_terminal=False, color_system=None)


def test_terminal_prints_tables_with_bars(summary):
    console = _console()
    report.to_terminal(summary, console)
    out = console.file.getvalue()
    assert "Omgång 2024" in out and "Fördelning" in out and "█" in out
    assert "<script>alert('å')</script>" in out  # printed literally, not interpreted as markup
    assert "Dold: färre än 5" in out


def test_xlsx_is_one_filterable_table_per_sheet_with_numbers_stored_as_numbers(summary, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(report.to_xlsx(summary, tmp_path / "rapport.xlsx"))
    assert wb.sheetnames == [
        "Översikt",
        "Sammanfattning",
        "Fördelning",
        "Att uppmärksamma",
        "Avvikande",
        "Teman",
        "Index",
        "Jämförelser",
        "Förändringar",
        "Om rapporten",
    ]
    for ws in wb:
        [table] = ws.tables.values()
        assert table.ref.startswith("A1:") and table.ref.endswith(str(ws.max_row))
        assert ws.freeze_panes == "A2"
        assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
        assert all(ws.column_dimensions[c.column_letter].width for c in ws[1])
    ov = wb["Översikt"]
    header = [c.value for c in ov[1]]
    assert header[:5] == ["Omgång", "Grupp", "Dold", "Skäl", "Kommentarer"]
    rows = {(r[0].value, r[1].value): r for r in ov.iter_rows(min_row=2)}
    whole = rows[(2024, "Hela omgången")]  # the year is a number, not the text "2024"
    cells = dict(zip(header, whole))
    assert cells["Kommentarer"].value == 29 and cells["Dold"].value is False
    assert isinstance(cells["Andel positiva"].value, float) and cells["Andel positiva"].number_format == "0%"
    assert cells["Nettot"].number_format == "+0;-0;0" and isinstance(cells["Nettot"].value, float)
    assert rows[(2024, "Revisorer")][2].value is True and rows[(2024, "Revisorer")][4].value is None
    att = wb["Att uppmärksamma"]
    head = [c.value for c in att[1]]
    quotes = [dict(zip(head, (c.value for c in r))) for r in att.iter_rows(min_row=2)]
    assert [q["Citat"] for q in quotes if q["Id"] == "X2024"] == [LOUD]  # one quote per comment
    ref = next(q["Kommentar nr"] for q in quotes if q["Id"] == "X2024")
    assert isinstance(ref, int)
    out = wb["Avvikande"]
    head = [c.value for c in out[1]]
    flagged = [dict(zip(head, r)) for r in out.iter_rows(min_row=2, values_only=True) if r[2] == "X2024"]
    assert flagged and all(f["Citat"] == f"se kommentar {ref}" for f in flagged)
    assert all(
        LOUD not in str(c.value) for ws in wb if ws.title != "Att uppmärksamma" for r in ws.iter_rows() for c in r
    )
    assert "klassade automatiskt" in wb["Om rapporten"]["B2"].value


def test_xlsx_stores_a_comment_starting_with_equals_as_text_not_formula(tmp_path):
    from openpyxl import load_workbook

    formula = '=HYPERLINK("x","Klicka på mig")'
    rows = [row("positiv", "ledarskap", text=formula, conf=0.99)] + [row("positiv", "ledarskap") for _ in range(10)]
    wb = load_workbook(report.to_xlsx(summarize(frame(rows)), tmp_path / "f.xlsx"))
    cells = [c for ws in wb for r in ws.iter_rows() for c in r if formula in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)


def test_xlsx_round_labels_are_cells_not_sheet_names(tmp_path):
    from openpyxl import load_workbook

    rows = [row("positiv", round="VT/24: [a]") for _ in range(5)] + [row("positiv", round="2025") for _ in range(5)]
    wb = load_workbook(report.to_xlsx(summarize(frame(rows)), tmp_path / "x.xlsx"))
    assert [r[0] for r in wb["Översikt"].iter_rows(min_row=2, values_only=True)] == [2025, "VT/24: [a]"]
