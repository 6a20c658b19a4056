"""The summary on a terminal, designed for 80 columns.

Paragraphs and quotes are wrapped here, at word boundaries, with a non-breaking space inside figures
("69 %", "95 % intervall"), so a figure is never split over two lines; tables hold only short figures
(never wrapped) and names that fold rather than being cut. Why a group is hidden is said once, under the
group table, with a footnote mark in the table. User text is printed as plain ``Text`` (no markup)."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from stamning.records import SENTIMENT_LEVELS
from stamning.report.rows import TITLE, attention_line, key_figures, outlier_line, title_of
from stamning.summary.types import GroupSummary, Summary
from stamning.summary.wording import LEVEL_NAMES, NET_DEFINITION, dec, pct, signed, source_line

NBSP = "\u00a0"
_FIGURE_SPACE = re.compile(r"(?<=\d) (?=%|procentenheter)")
MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def keep_figures(text: str) -> str:
    """'69 %' -> '69\u00a0%': a figure and its unit stay on one line."""
    return _FIGURE_SPACE.sub(NBSP, text)


def wrap(text: str, width: int, indent: str = "", hang: str = "") -> str:
    """Word-wrap for the terminal. textwrap breaks only at ASCII whitespace, so NBSP holds figures together."""
    return "\n".join(
        textwrap.wrap(
            keep_figures(text),
            width=max(width, 20),
            initial_indent=indent,
            subsequent_indent=hang or indent,
            break_long_words=True,
            break_on_hyphens=False,
        )
    )


def _bar(share: float | None, width: int = 20) -> str:
    if share is None:
        return ""
    filled = round(share * width)
    return "█" * filled + "·" * (width - filled)


def _print(console, text: str, style: str | None = None, **kw) -> None:
    from rich.text import Text

    console.print(Text(wrap(text, console.width, **kw), style=style or ""), soft_wrap=True)


def _figures(console, r: GroupSummary) -> None:
    from rich.table import Table

    dist = Table(title="Fördelning")
    dist.add_column("Nivå", no_wrap=True)
    dist.add_column("Antal", justify="right", no_wrap=True)
    dist.add_column("Andel", justify="right", no_wrap=True)
    dist.add_column("", no_wrap=True)
    for lvl in SENTIMENT_LEVELS:
        d = r.shown_distribution[lvl]
        dist.add_row(LEVEL_NAMES[lvl], str(d["count"]), keep_figures(pct(d["share"])), _bar(d["share"]))
    console.print(dist)
    kf = Table(show_header=False)
    kf.add_column(overflow="fold")
    kf.add_column(no_wrap=True)
    for label, value in key_figures(r):
        kf.add_row(label, keep_figures(value))
    console.print(kf)


def _quotes(console, r: GroupSummary) -> None:
    if r.attention:
        _print(console, "Att uppmärksamma (oavsett helhetsbilden)", "bold")
        for a in r.attention:
            _print(console, attention_line(a), indent="• ", hang="  ")
    if r.outliers:
        _print(console, f"Avvikande: {r.outlier_sentence}", "yellow")
        for o in r.outliers:
            _print(console, outlier_line(o), "yellow", indent="  ", hang="    ")


def _themes(console, r: GroupSummary) -> None:
    from rich.table import Table

    th = Table(title="Teman")
    th.add_column("Tema", overflow="fold")
    th.add_column("Antal", justify="right", no_wrap=True)
    th.add_column("Andel", justify="right", no_wrap=True)
    th.add_column("", no_wrap=True)
    th.add_column("Medel", justify="right", no_wrap=True)
    for t in r.themes:
        th.add_row(
            t.name + (" (känsligt)" if t.sensitive else ""),
            str(t.count),
            keep_figures(pct(t.share)),
            _bar(t.share, 12),
            dec(t.mean_score.value),
        )
    console.print(th)


def _groups(console, r) -> None:
    """Short figures per group; why a group is hidden is one footnote under the table, not a cell."""
    from rich.table import Table

    reasons: list[str] = []
    gt = Table(title="Grupper")
    longest = max(len(w) for g in r.groups for w in (g.group or "").split() or [""])
    gt.add_column("Grupp", overflow="fold", min_width=min(max(longest, 5), 30))
    for col in ("n", "Positiva", "Negativa", "Nettot (95 % intervall)"):
        gt.add_column(keep_figures(col), justify="right", no_wrap=True)
    for g in r.groups:
        if g.suppressed:
            if g.suppressed_reason not in reasons:
                reasons.append(g.suppressed_reason)
            mark = MARKS[min(reasons.index(g.suppressed_reason), len(MARKS) - 1)]
            gt.add_row(g.group, "–", "–", "–", f"dold{mark}")
            continue
        net = g.net_score
        net_text = (
            f"{signed(net.value)} ({signed(net.low)} till {signed(net.high)})"
            if net.low is not None
            else signed(net.value)
        )
        gt.add_row(
            g.group,
            str(g.n),
            keep_figures(pct(g.share_positive.value)),
            keep_figures(pct(g.share_negative.value)),
            net_text,
        )
    console.print(gt)
    for i, reason in enumerate(reasons):
        _print(console, f"{MARKS[min(i, len(MARKS) - 1)]} Dold: {reason}.", "dim", hang="  ")


def to_terminal(summary: Summary, console: Any = None) -> None:
    """Print the summary: paragraphs wrapped for the console's width, small tables with bars."""
    from rich.console import Console
    from rich.text import Text

    console = console or Console()
    _print(console, TITLE, "bold")
    _print(console, source_line(summary.settings), "dim")
    _print(console, NET_DEFINITION, "dim")
    for note in summary.notes:
        _print(console, f"Obs: {note}", "yellow")
    for r in summary.rounds:
        console.rule(Text(title_of(r)))
        _print(console, r.paragraph)
        if not r.suppressed:
            _figures(console, r)
        _quotes(console, r)
        if r.themes:
            _themes(console, r)
        if r.groups:
            _groups(console, r)
    for c in summary.comparisons:
        console.rule(Text(f"Omgång {c.before} → {c.after}"))
        for s in c.sentences:
            _print(console, s, indent="- ", hang="  ")
