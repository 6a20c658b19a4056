"""Render a :class:`~stamning.summary.types.Summary` as Markdown, JSON, HTML, a terminal view or Excel.

All renderers show only what the summary holds: suppressed groups have no figures and hidden
quotes are already replaced by "(citat dolt: för få svarande)", so nothing here can leak text
that confidentiality rules removed. User-supplied text is escaped for each format.
"""

from __future__ import annotations

import json
import re

from stamning.records import SENTIMENT_LEVELS
from stamning.report.html import to_html
from stamning.report.rows import (
    ATTENTION_HEAD,
    GROUP_HEAD,
    THEME_HEAD,
    TITLE,
    attention_row,
    group_row,
    key_figures,
    mean_text,
    outlier_line,
    theme_names,
    theme_row,
    title_of,
)
from stamning.report.terminal import to_terminal
from stamning.report.xlsx import to_xlsx
from stamning.summary.types import GroupSummary, RoundChange, Summary
from stamning.summary.wording import LEVEL_NAMES, NET_DEFINITION, pct, source_line

__all__ = ["to_markdown", "to_json", "to_html", "to_terminal", "to_xlsx", "key_figures", "mean_text"]

EMPTY = "Inga kommentarer att sammanfatta."


def to_json(summary: Summary, *, indent: int | None = 2) -> str:
    """The summary as JSON (schema in :mod:`stamning.summary.rounds`), UTF-8 text with å/ä/ö kept."""
    return json.dumps(summary.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"


def to_json_comparison(comparison, *, indent: int | None = 2) -> str:
    """A comparison as JSON (schema in :mod:`stamning.summary.compare`)."""
    return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"


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
            out += [f"{h}# Att uppmärksamma", ""] + _md_table(
                ATTENTION_HEAD, [attention_row(a, theme_name) for a in s.attention]
            )
        return out
    out += _md_table(["Mått", "Värde"], [list(r) for r in key_figures(s)])
    dist = [
        [LEVEL_NAMES[lvl], str(s.shown_distribution[lvl]["count"]), pct(s.shown_distribution[lvl]["share"])]
        for lvl in SENTIMENT_LEVELS
    ]
    out += [f"{h}# Fördelning", ""] + _md_table(["Nivå", "Antal", "Andel av klassade"], dist)
    if s.attention:
        out += [f"{h}# Att uppmärksamma", "", "Listas oavsett helhetsbilden.", ""]
        out += _md_table(ATTENTION_HEAD, [attention_row(a, theme_name) for a in s.attention])
    if s.outliers:
        out += [f"{h}# Avvikande kommentarer", "", md(s.outlier_sentence), ""]
        out += [f"- {md(outlier_line(o))}" for o in s.outliers] + [""]
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
    names = theme_names(summary)
    theme_name = lambda k: names.get(k, k)  # noqa: E731
    out = [f"# {TITLE}", "", md(source_line(summary.settings)), "", f"_{md(NET_DEFINITION)}_", ""]
    out += [line for n in summary.notes for line in (f"> Obs: {md(n)}", "")]
    if not summary.rounds and not summary.comparisons:
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
