"""Render a :class:`~stamning.summary_types.Summary` as Markdown, JSON, HTML, a terminal view or Excel.

All renderers show only what the summary holds: suppressed groups have no figures and hidden
quotes are already replaced by "(citat dolt: för få svarande)", so nothing here can leak text
that confidentiality rules removed. User-supplied text is escaped for each format.
"""

from __future__ import annotations


import json
import re
from pathlib import Path
from typing import Any

from .records import SENTIMENT_LEVELS
from .report_html import to_html
from .summary_input import ALL_ROUNDS
from .summary_text import DASH, LEVEL_NAMES, NET_DEFINITION, dec, interval_text, pct, signed
from .summary_types import GroupSummary, RoundChange, Summary

__all__ = ["to_markdown", "to_json", "to_html", "to_terminal", "to_xlsx"]

TITLE = "Sammanfattning av fritextsvar"
WHOLE_ROUND = "Hela omgången"
EMPTY = "Inga kommentarer att sammanfatta."


def to_json(summary: Summary, *, indent: int | None = 2) -> str:
    """The summary as JSON (schema in :mod:`stamning.summarize`), UTF-8 text with å/ä/ö kept."""
    return json.dumps(summary.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)


# ---------------------------------------------------------------- shared rows

def share_text(iv) -> str:
    return DASH if iv is None or iv.value is None else f"{pct(iv.value)} ({interval_text(iv.low, iv.high, pct)})"


def net_text(iv) -> str:
    return DASH if iv is None or iv.value is None else f"{signed(iv.value)} ({interval_text(iv.low, iv.high)})"


def key_figures(s: GroupSummary) -> list[tuple[str, str]]:
    """(label, value) rows of a visible round or group, in Swedish."""
    rows = [("Kommentarer", str(s.n)), ("Klassade", str(s.n_classified)), ("Ej klassade", str(s.n_skipped)),
            ("Andel positiva (95 % intervall)", share_text(s.share_positive)),
            ("Andel negativa (95 % intervall)", share_text(s.share_negative)),
            ("Nettot (95 % intervall)", net_text(s.net_score)),
            ("Median, skala −2 till +2", dec(s.median_score)),
            ("Trimmat medelvärde (10 %)", dec(s.trimmed_mean_score)),
            ("Osäkra klassningar", str(s.n_uncertain)), ("Blandade (beröm och kritik)", str(s.n_mixed))]
    if s.index is not None:
        m = s.index.mean
        rows.append((f"Index, medel (n = {s.index.n})", f"{dec(m.value, 1)} ({interval_text(m.low, m.high, lambda v: dec(v, 1))})"))
    return rows


def group_row(g: GroupSummary) -> list[str]:
    if g.suppressed:
        return [g.group or g.round, DASH, DASH, DASH, DASH, f"dold: {g.suppressed_reason}"]
    return [g.group or g.round, str(g.n), share_text(g.share_positive), share_text(g.share_negative),
            net_text(g.net_score), ""]


GROUP_HEAD = ["Grupp", "n", "Positiva", "Negativa", "Nettot", "Anmärkning"]
THEME_HEAD = ["Tema", "Antal", "Andel", "Medelvärde (95 % intervall)", "Typiskt positivt", "Typiskt negativt"]
ATTENTION_HEAD = ["Id", "Grupp", "Teman", "Skäl", "Citat"]


def theme_row(t) -> list[str]:
    m = t.mean_score
    return [t.name + (" (känsligt)" if t.sensitive else ""), str(t.count), pct(t.share),
            f"{dec(m.value)} ({interval_text(m.low, m.high, dec)})",
            t.typical_positive.text if t.typical_positive else DASH,
            t.typical_negative.text if t.typical_negative else DASH]


def attention_row(a, theme_name) -> list[str]:
    return [a.id, a.group or DASH, ", ".join(theme_name(k) for k in a.themes), a.reason, a.text]


def title_of(s: GroupSummary) -> str:
    if s.group is not None:
        return s.group
    return "Alla svar" if s.round == ALL_ROUNDS else f"Omgång {s.round}"


# ---------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md(text: object) -> str:
    """Escape text for a Markdown table cell or paragraph: no HTML, no markup, one line."""
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return re.sub(r"\s*[\r\n]+\s*", " ", s).strip()


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(md(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return out + [""]


def _md_block(s: GroupSummary, level: int, theme_name) -> list[str]:
    h = "#" * level
    out = [f"{h} {md(title_of(s))}", "", md(s.paragraph), ""]
    if s.suppressed:
        if s.attention:
            out += [f"{h}# Att uppmärksamma", ""] + _md_table(ATTENTION_HEAD, [attention_row(a, theme_name) for a in s.attention])
        return out
    out += _md_table(["Mått", "Värde"], [list(r) for r in key_figures(s)])
    dist = [[LEVEL_NAMES[lvl], str(s.distribution[lvl]["count"]), pct(s.distribution[lvl]["share"])] for lvl in SENTIMENT_LEVELS]
    out += [f"{h}# Fördelning", ""] + _md_table(["Nivå", "Antal", "Andel av klassade"], dist)
    if s.outliers:
        out += [f"{h}# Avvikande kommentarer", ""]
        for o in s.outliers:
            flag = " (osäker klassning)" if o.uncertain else ""
            out += [f"- {md(o.sentence)}{flag} Id {md(o.id)}: ”{md(o.text)}”"]
        out.append("")
    if s.attention:
        out += [f"{h}# Att uppmärksamma", "", "Listas oavsett helhetsbilden.", ""]
        out += _md_table(ATTENTION_HEAD, [attention_row(a, theme_name) for a in s.attention])
    if s.themes:
        out += [f"{h}# Teman", "", "Sorterade efter hur mycket de påverkar bilden.", ""]
        out += _md_table(THEME_HEAD, [theme_row(t) for t in s.themes])
    if s.index is not None:
        bands = [[b.label, str(b.count), pct(b.share)] for b in s.index.bands]
        out += [f"{h}# Index", ""] + _md_table(["Nivå", "Antal", "Andel"], bands)
    return out


def _md_change(c: RoundChange) -> list[str]:
    out = [f"### Omgång {md(c.before)} → {md(c.after)}", ""]
    out += [f"- {md(s)}" for s in c.sentences]
    return out + [""]


def to_markdown(summary: Summary) -> str:
    """A Markdown report: per round key figures, distribution, outliers, attention, themes, groups."""
    names = _theme_names(summary)
    theme_name = lambda k: names.get(k, k)  # noqa: E731
    out = [f"# {TITLE}", "", f"_{md(NET_DEFINITION)}_", ""]
    if not summary.rounds:
        out += [EMPTY, ""]
    for r in summary.rounds:
        out += _md_block(r, 2, theme_name)
        if r.groups:
            out += ["### Grupper", ""] + _md_table(GROUP_HEAD, [group_row(g) for g in r.groups])
            for g in r.groups:
                if not g.suppressed:
                    out += _md_block(g, 4, theme_name)
    if summary.comparisons:
        out += ["## Jämförelser mellan omgångar", ""]
        for c in summary.comparisons:
            out += _md_change(c)
    return "\n".join(out).rstrip() + "\n"


def _theme_names(summary: Summary) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in summary.rounds:
        for s in [r, *r.groups]:
            names.update({t.key: t.name for t in s.themes})
    return names


# ---------------------------------------------------------------- terminal

def _bar(share: float | None, width: int = 20) -> str:
    if share is None:
        return ""
    filled = round(share * width)
    return "█" * filled + "·" * (width - filled)


def to_terminal(summary: Summary, console: Any = None) -> None:
    """Print rich tables with bars. User text goes in as plain ``Text`` (no markup interpreted)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    console.print(Text(TITLE, style="bold"))
    console.print(Text(NET_DEFINITION, style="dim"))
    names = _theme_names(summary)
    for r in summary.rounds:
        console.rule(Text(title_of(r)))
        console.print(Text(r.paragraph))
        if not r.suppressed:
            dist = Table(title="Fördelning", show_header=True)
            for col in ("Nivå", "Antal", "Andel", ""):
                dist.add_column(col)
            for lvl in SENTIMENT_LEVELS:
                d = r.distribution[lvl]
                dist.add_row(LEVEL_NAMES[lvl], str(d["count"]), pct(d["share"]), _bar(d["share"]))
            console.print(dist)
            kf = Table(show_header=False)
            for label, value in key_figures(r):
                kf.add_row(Text(label), Text(value))
            console.print(kf)
        for o in r.outliers:
            console.print(Text(f"Avvikande: {o.sentence} ({o.id}) ”{o.text}”", style="yellow"))
        if r.attention:
            at = Table(title="Att uppmärksamma (oavsett helhetsbilden)")
            for col in ATTENTION_HEAD:
                at.add_column(col)
            for a in r.attention:
                at.add_row(*(Text(c) for c in attention_row(a, lambda k: names.get(k, k))))
            console.print(at)
        if r.themes:
            th = Table(title="Teman")
            for col in ("Tema", "Antal", "Andel", "", "Medelvärde"):
                th.add_column(col)
            for t in r.themes:
                th.add_row(Text(t.name), str(t.count), pct(t.share), _bar(t.share, 12), dec(t.mean_score.value))
            console.print(th)
        if r.groups:
            gt = Table(title="Grupper")
            for col in GROUP_HEAD:
                gt.add_column(col)
            for g in r.groups:
                gt.add_row(*(Text(c) for c in group_row(g)))
            console.print(gt)
    for c in summary.comparisons:
        console.rule(Text(f"Omgång {c.before} → {c.after}"))
        for s in c.sentences:
            console.print(Text(s))


# ---------------------------------------------------------------- excel

def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Blad"
    candidate, i = base, 2
    while candidate.lower() in used:
        suffix = f" ({i})"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(candidate.lower())
    return candidate


def _append(ws, values: list) -> None:
    """Append a row; text is always stored as text, never as a formula (e.g. a comment '=1+1')."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def to_xlsx(summary: Summary, path: str | Path) -> Path:
    """An Excel workbook: 'Översikt' (one row per round and group), one sheet per round, and
    'Jämförelser' when the summary holds comparisons."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wb = Workbook()
    ov = wb.active
    ov.title = "Översikt"
    used = {"översikt"}
    head = ["Omgång", "Grupp", "Dold", "Skäl", "n", "Klassade", "Andel positiva", "låg", "hög", "Andel negativa",
            "låg", "hög", "Nettot", "låg", "hög", "Median", "Trimmat medel", "Osäkra", "Blandade", "Index medel"]
    _append(ov, head)
    for cell in ov[1]:
        cell.font = bold
    for r in summary.rounds:
        for s in [r, *r.groups]:
            if s.suppressed:
                _append(ov, [s.round, s.group or WHOLE_ROUND, "ja", s.suppressed_reason])
                continue
            sp, sn, ns = s.share_positive, s.share_negative, s.net_score
            _append(ov, [s.round, s.group or WHOLE_ROUND, "nej", "", s.n, s.n_classified, sp.value, sp.low, sp.high,
                         sn.value, sn.low, sn.high, ns.value, ns.low, ns.high, s.median_score, s.trimmed_mean_score,
                         s.n_uncertain, s.n_mixed, s.index.mean.value if s.index else None])
    names = _theme_names(summary)
    for r in summary.rounds:
        ws = wb.create_sheet(_sheet_name(title_of(r), used))
        ws.column_dimensions["A"].width = 34
        for col in "BCDEF":
            ws.column_dimensions[col].width = 24
        for s in [r, *r.groups]:
            _append(ws, [title_of(s)])
            ws.cell(ws.max_row, 1).font = bold
            _append(ws, [s.paragraph])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            if s.suppressed and not s.attention:
                _append(ws, [])
                continue
            if not s.suppressed:
                for label, value in key_figures(s):
                    _append(ws, [label, value])
                _append(ws, ["Nivå", "Antal", "Andel"])
                for lvl in SENTIMENT_LEVELS:
                    _append(ws, [LEVEL_NAMES[lvl], s.distribution[lvl]["count"], s.distribution[lvl]["share"]])
                for o in s.outliers:
                    _append(ws, ["Avvikande", o.id, o.sentence, o.text])
            if s.attention:
                _append(ws, ["Att uppmärksamma", *ATTENTION_HEAD])
                for a in s.attention:
                    _append(ws, ["", *attention_row(a, lambda k: names.get(k, k))])
            if s.themes:
                _append(ws, THEME_HEAD)
                for t in s.themes:
                    _append(ws, theme_row(t))
            if s.index is not None:
                _append(ws, ["Index", "Antal", "Andel"])
                for b in s.index.bands:
                    _append(ws, [b.label, b.count, b.share])
            _append(ws, [])
    if summary.comparisons:
        ws = wb.create_sheet(_sheet_name("Jämförelser", used))
        ws.column_dimensions["C"].width = 100
        _append(ws, ["Från", "Till", "Slutsats"])
        for c in summary.comparisons:
            for s in c.sentences:
                _append(ws, [c.before, c.after, s])
    from .outputs import atomic_output

    path = Path(path)
    with atomic_output(path) as tmp:
        wb.save(tmp)
    return path
