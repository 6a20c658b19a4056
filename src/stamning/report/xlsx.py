"""The summary as an Excel workbook: one filterable table per sheet.

Sheets: Översikt (one row per round and group), Sammanfattning (the paragraphs), Fördelning, Att
uppmärksamma, Avvikande, Teman, Index (when there is one), Jämförelser (two or more rounds) and Om
rapporten (source line, definitions, settings). Shares are stored as numbers with a percent format, net
scores as signed whole numbers, round labels that are whole numbers (years) as numbers, booleans as
booleans. Each comment is quoted once: "Kommentar nr" numbers it, "Citat" holds the text at its first
place and "se kommentar N" elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from stamning.io.spreadsheet import (
    DECIMAL_2,
    INTEGER,
    PERCENT,
    SIGNED,
    CellFixes,
    Column,
    add_table_sheet,
    make_reproducible,
)
from stamning.records import SENTIMENT_LEVELS
from stamning.summary.prepare import ALL_ROUNDS
from stamning.summary.types import GroupSummary, Summary
from stamning.summary.wording import LEVEL_NAMES, NET_DEFINITION, cite, source_line

WHOLE_ROUND = "Hela omgången"
QUOTE_WIDTH = 70


def _round(label: str):
    """A round label as Excel should hold it: whole numbers (years) as numbers."""
    return int(label) if label.isdigit() and len(label) < 16 else ("Alla svar" if label == ALL_ROUNDS else label)


def _where(s: GroupSummary) -> list:
    return [_round(s.round), s.group if s.group is not None else WHOLE_ROUND]


def _levels(summary: Summary):
    for r in summary.rounds:
        yield r, [r, *r.groups]


def _overview(summary: Summary) -> tuple[list[Column], list[list]]:
    cols = [
        Column("Omgång"),
        Column("Grupp"),
        Column("Dold"),
        Column("Skäl", width=40),
        Column("Kommentarer", INTEGER),
        Column("Klassade", INTEGER),
        Column("Ej klassade", INTEGER),
    ]
    for name in ("Andel positiva", "Andel negativa"):
        cols += [Column(name, PERCENT), Column(f"{name}, låg", PERCENT), Column(f"{name}, hög", PERCENT)]
    cols += [
        Column("Nettot", SIGNED),
        Column("Nettot, låg", SIGNED),
        Column("Nettot, hög", SIGNED),
        Column("Median", DECIMAL_2),
        Column("Trimmat medel", DECIMAL_2),
        Column("Osäkra", INTEGER),
        Column("Blandade", INTEGER),
        Column("Index, medel", "0.0"),
    ]
    rows = []
    for _, levels in _levels(summary):
        for s in levels:
            if s.suppressed:
                rows.append(_where(s) + [True, s.suppressed_reason] + [None] * (len(cols) - 4))
                continue
            sp, sn, ns = s.share_positive, s.share_negative, s.net_score
            rows.append(
                _where(s)
                + [
                    False,
                    None,
                    s.n,
                    s.n_classified,
                    s.n_skipped,
                    sp.value,
                    sp.low,
                    sp.high,
                    sn.value,
                    sn.low,
                    sn.high,
                    ns.value,
                    ns.low,
                    ns.high,
                    s.median_score,
                    s.trimmed_mean_score,
                    s.n_uncertain,
                    s.n_mixed,
                    s.index.mean.value if s.index else None,
                ]
            )
    return cols, rows


def _paragraphs(summary: Summary):
    cols = [Column("Omgång"), Column("Grupp"), Column("Sammanfattning", width=110, wrap=True)]
    return cols, [_where(s) + [s.paragraph] for _, levels in _levels(summary) for s in levels]


def _distribution(summary: Summary):
    cols = [Column("Omgång"), Column("Grupp"), Column("Nivå"), Column("Antal", INTEGER), Column("Andel", PERCENT)]
    rows = [
        _where(s) + [LEVEL_NAMES[lvl], s.distribution[lvl]["count"], s.distribution[lvl]["share"]]
        for _, levels in _levels(summary)
        for s in levels
        if not s.suppressed
        for lvl in SENTIMENT_LEVELS
    ]
    return cols, rows


def _quote_cells(text: str | None, ref: int | None) -> list:
    return [ref, cite(text, None) if ref is None else (text if text is not None else f"se kommentar {ref}")]


def _attention(summary: Summary, names: dict[str, str]):
    """Round level only: a round's list holds every comment of its groups, so each appears once."""
    cols = [
        Column("Omgång"),
        Column("Id"),
        Column("Grupp"),
        Column("Teman", width=30),
        Column("Skäl", width=40),
        Column("Kommentar nr", INTEGER),
        Column("Citat", width=QUOTE_WIDTH, wrap=True),
    ]
    rows = [
        [
            _round(r.round),
            a.id,
            a.group,
            ", ".join(names.get(k, k) for k in a.themes),
            a.reason,
            *_quote_cells(a.text, a.ref),
        ]
        for r in summary.rounds
        for a in r.attention
    ]
    return cols, rows


def _outliers(summary: Summary):
    cols = [
        Column("Omgång"),
        Column("Grupp"),
        Column("Id"),
        Column("Osäker klassning"),
        Column("Kommentar nr", INTEGER),
        Column("Citat", width=QUOTE_WIDTH, wrap=True),
        Column("Påstående", width=QUOTE_WIDTH, wrap=True),
    ]
    rows = [
        _where(s) + [o.id, o.uncertain, *_quote_cells(o.text, o.ref), o.sentence]
        for _, levels in _levels(summary)
        for s in levels
        for o in s.outliers
    ]
    return cols, rows


def _themes(summary: Summary):
    cols = [
        Column("Omgång"),
        Column("Grupp"),
        Column("Tema"),
        Column("Känsligt"),
        Column("Antal", INTEGER),
        Column("Andel", PERCENT),
        Column("Medelvärde", DECIMAL_2),
        Column("Medelvärde, låg", DECIMAL_2),
        Column("Medelvärde, hög", DECIMAL_2),
        Column("Påverkan", DECIMAL_2),
        Column("Typiskt positivt nr", INTEGER),
        Column("Typiskt positivt", width=50, wrap=True),
        Column("Typiskt negativt nr", INTEGER),
        Column("Typiskt negativt", width=50, wrap=True),
    ]
    rows = []
    for _, levels in _levels(summary):
        for s in levels:
            for t in s.themes:
                m = t.mean_score
                quotes: list[object] = []
                for q in (t.typical_positive, t.typical_negative):
                    quotes += _quote_cells(q.text, q.ref) if q is not None else [None, None]
                rows.append(
                    _where(s) + [t.name, t.sensitive, t.count, t.share, m.value, m.low, m.high, t.impact, *quotes]
                )
    return cols, rows


def _index(summary: Summary):
    cols = [
        Column("Omgång"),
        Column("Grupp"),
        Column("Nivå"),
        Column("Från", "0.##"),
        Column("Under", "0.##"),
        Column("Antal", INTEGER),
        Column("Andel", PERCENT),
    ]
    rows = [
        _where(s) + [b.label, b.low, b.high, b.count, b.share]
        for _, levels in _levels(summary)
        for s in levels
        if s.index is not None
        for b in s.index.bands
    ]
    return cols, rows


def _comparisons(summary: Summary):
    cols = [Column("Från"), Column("Till"), Column("Slutsats", width=110, wrap=True)]
    return cols, [[_round(c.before), _round(c.after), s] for c in summary.comparisons for s in c.sentences]


def _changes(summary: Summary):
    """The comparisons' figures, one row per measure: shares as percent, the net score in points."""
    cols = [
        Column("Från"),
        Column("Till"),
        Column("Mått"),
        Column("Före", "0.0%"),
        Column("Efter", "0.0%"),
        Column("Förändring", "+0.0%;-0.0%;0.0%"),
        Column("Förändring, låg", "+0.0%;-0.0%;0.0%"),
        Column("Förändring, hög", "+0.0%;-0.0%;0.0%"),
        Column("p-värde (teman: Holm-justerat)", "0.000"),
        Column("Test"),
        Column("Säkerställd"),
    ]
    rows = []
    for c in summary.comparisons:
        if c.suppressed:
            continue
        tests = [
            (name, t, k, t.p_value, t.significant)
            for name, t, k in (
                ("Andel positiva", c.share_positive, 1.0),
                ("Andel negativa", c.share_negative, 1.0),
                ("Nettot (procentenheter / 100)", c.net_score, 0.01),
            )
            if t is not None  # a comparison that is shown carries all three tests
        ]
        tests += [
            (f"Tema: {t.name}", t.share, 1.0, t.p_adjusted, t.p_adjusted is not None and t.p_adjusted < 0.05)
            for t in c.themes
        ]
        for name, t, k, p, significant in tests:
            scaled = [None if v is None else v * k for v in (t.before, t.after, t.change, t.low, t.high)]
            rows.append([_round(c.before), _round(c.after), name, *scaled, p, t.test, significant])
    return cols, rows


def _about(summary: Summary):
    st = summary.settings
    rows = [
        ["Källa", source_line(st)],
        ["Nettot", NET_DEFINITION],
        ["Minsta grupp för siffror", st.get("min_group")],
        ["Minsta grupp för citat", st.get("min_quote_group")],
        ["Avvikande kommentar", st.get("outlier_rule")],
        ["Att uppmärksamma", st.get("attention_rule")],
        ["Citat maskade", st.get("redacted")],
    ]
    rows += [["Obs", note] for note in summary.notes]
    return [Column("Uppgift"), Column("Värde", width=110, wrap=True)], rows


def to_xlsx(summary: Summary, path: str | Path, fixes: CellFixes | None = None) -> Path:
    """Write the workbook atomically; returns ``path``. Cells Excel cannot hold are made safe and
    counted in ``fixes`` when given."""
    from openpyxl import Workbook

    names = {t.key: t.name for _, levels in _levels(summary) for s in levels for t in s.themes}
    wb = Workbook()
    for sheet in list(wb.worksheets):  # the default empty sheet
        wb.remove(sheet)
    wb.properties.created = wb.properties.modified = datetime(2000, 1, 1)
    used: set[str] = set()
    fixes = fixes if fixes is not None else CellFixes()
    sheets = []
    if summary.rounds or not summary.comparisons:  # a comparison alone (stamning compare) has no round sheets
        sheets += [
            ("Översikt", _overview(summary)),
            ("Sammanfattning", _paragraphs(summary)),
            ("Fördelning", _distribution(summary)),
            ("Att uppmärksamma", _attention(summary, names)),
            ("Avvikande", _outliers(summary)),
            ("Teman", _themes(summary)),
        ]
    if any(s.index is not None for _, levels in _levels(summary) for s in levels):
        sheets.append(("Index", _index(summary)))
    if summary.comparisons:
        sheets += [("Jämförelser", _comparisons(summary)), ("Förändringar", _changes(summary))]
    sheets.append(("Om rapporten", _about(summary)))
    for title, (cols, rows) in sheets:
        add_table_sheet(wb, title, cols, rows, used, fixes)
    target = Path(path)
    from stamning.io.outputs import atomic_output

    with atomic_output(target) as tmp:
        wb.save(tmp)
        make_reproducible(tmp)
    return target
