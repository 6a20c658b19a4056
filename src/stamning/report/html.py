"""A self-contained HTML report: inline CSS and SVG, no scripts, no network, readable on a phone."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set as AbstractSet
from html import escape

from stamning.records import SENTIMENT_LEVELS
from stamning.report import charts
from stamning.summary.prepare import ALL_ROUNDS
from stamning.summary.types import GroupSummary, RoundChange, Summary
from stamning.summary.wording import (
    DASH,
    LEVEL_NAMES,
    NET_DEFINITION,
    cite,
    dec,
    interval_text,
    pct,
    signed,
    source_line,
)

COLORS = {
    "mycket_negativ": "#b2182b",
    "negativ": "#ef8a62",
    "neutral": "#bdbdbd",
    "positiv": "#67a9cf",
    "mycket_positiv": "#2166ac",
}

CSS = (
    """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fafafa}
main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
h3{font-size:1.1rem;margin-top:1.4rem}
section,details{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}
details summary{cursor:pointer;font-weight:600}
.def,.note{color:#555;font-size:.9rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap}
svg{display:block;width:100%;height:auto;max-width:100%}
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem;margin:.3rem 0 .8rem;padding:0;list-style:none}
.legend span{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
.outlier{border-left:4px solid #ef8a62;padding:.3rem .8rem;margin:.6rem 0;background:#fff8f3}
.attention{border-left:4px solid #b2182b}
blockquote{margin:.3rem 0;font-style:italic;color:#333}
.suppressed{color:#666;font-style:italic}
nav ul{padding-left:1.2rem}
@media (max-width:600px){body{font-size:15px}main{padding:.5rem}section,details{padding:.6rem}}
figure.chart{margin:.6rem 0 1rem}
figure.chart svg{max-width:760px}
"""
    + """
@media print{
@page{size:A4;margin:14mm 12mm}
body{background:#fff;font-size:10pt;line-height:1.35}
main{max-width:none;padding:0}
nav{display:none}
section,details{border:none;border-radius:0;padding:0;margin:.6rem 0;background:#fff}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none;font-size:1.05rem}
details>summary::-webkit-details-marker{display:none}
.scroll{overflow:visible}
table{table-layout:fixed;width:100%;font-size:8.5pt}
th,td{overflow-wrap:anywhere;word-break:break-word;hyphens:auto;padding:.2rem .3rem}
td.num{white-space:normal}
tr,figure.chart,.outlier,blockquote{break-inside:avoid}
h2,h3,h4{break-after:avoid}
figure.chart svg{max-width:100%}
a{color:inherit;text-decoration:none}
}
"""
)


def e(text: object) -> str:
    return escape(str(text), quote=True)


def _slug(i: int, text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return f"r{i}-" + (re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-") or "x")


def _title(s: GroupSummary) -> str:
    if s.group is not None:
        return s.group
    return "Alla svar" if s.round == ALL_ROUNDS else f"Omgång {s.round}"


def _table(
    head: list[str], rows: list[list[str]], raw: AbstractSet[int] = frozenset(), num: AbstractSet[int] = frozenset()
) -> str:
    th = "".join(f"<th scope=col>{e(h)}</th>" for h in head)
    body = []
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            cls = ' class="num"' if i in num else ""
            cells.append(f"<td{cls}>{c if i in raw else e(c)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _dist_svg(s: GroupSummary) -> str:
    x, rects = 0.0, []
    label = ", ".join(f"{LEVEL_NAMES[lvl]} {s.shown_distribution[lvl]['count']}" for lvl in SENTIMENT_LEVELS)
    for lvl in SENTIMENT_LEVELS:
        w = 100 * (s.shown_distribution[lvl]["share"] or 0.0)
        if w > 0:
            rects.append(
                f'<rect x="{x:.3f}" y="0" width="{w:.3f}" height="10" fill="{COLORS[lvl]}">'
                f"<title>{e(LEVEL_NAMES[lvl])}: {s.shown_distribution[lvl]['count']}</title></rect>"
            )
        x += w
    legend = "".join(
        f'<li><span style="background:{COLORS[lvl]}"></span>{e(LEVEL_NAMES[lvl])}: '
        f"{s.shown_distribution[lvl]['count']} ({e(pct(s.shown_distribution[lvl]['share']))})</li>"
        for lvl in SENTIMENT_LEVELS
    )
    return (
        f'<svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="Fördelning: {e(label)}" '
        f'style="height:1.6rem">{"".join(rects)}</svg><ul class="legend">{legend}</ul>'
    )


def _net_svg(iv) -> str:
    """Net score on a −100..+100 axis with its interval as a whisker."""
    if iv is None or iv.value is None:
        return ""
    x = lambda v: 10 + (v + 100) * 0.9  # noqa: E731  -100..100 -> 10..190
    whisker = ""
    if iv.low is not None and iv.high is not None:
        whisker = (
            f'<line x1="{x(iv.low):.2f}" y1="12" x2="{x(iv.high):.2f}" y2="12" stroke="#2166ac" stroke-width="2"/>'
        )
    return (
        f'<svg viewBox="0 0 200 26" role="img" aria-label="Nettot {e(signed(iv.value))}, 95 % intervall '
        f'{e(interval_text(iv.low, iv.high))}" style="max-width:420px">'
        f'<line x1="10" y1="12" x2="190" y2="12" stroke="#ccc"/><line x1="100" y1="4" x2="100" y2="20" stroke="#888"/>'
        f'{whisker}<circle cx="{x(iv.value):.2f}" cy="12" r="3.5" fill="#2166ac"/>'
        f'<text x="10" y="25" font-size="6" fill="#555">−100</text><text x="97" y="25" font-size="6" fill="#555">0</text>'
        f'<text x="178" y="25" font-size="6" fill="#555">+100</text></svg>'
    )


def _mean_svg(mean: float | None) -> str:
    """A diverging bar for a mean score on −2..+2."""
    if mean is None:
        return ""
    w = abs(mean) * 25
    x0 = 50 if mean >= 0 else 50 - w
    color = COLORS["positiv"] if mean >= 0 else COLORS["negativ"]
    return (
        f'<svg viewBox="0 0 100 10" role="img" aria-label="Medelvärde {e(dec(mean))}" style="width:7rem;height:1rem">'
        f'<rect x="0" y="0" width="100" height="10" fill="#f0f0f0"/><rect x="{x0:.2f}" y="1" width="{w:.2f}" '
        f'height="8" fill="{color}"/><line x1="50" y1="0" x2="50" y2="10" stroke="#666" stroke-width=".6"/></svg>'
    )


def _cite_html(text: str | None, ref: int | None) -> str:
    """A quote with its number where first quoted (as a quotation), a plain reference elsewhere."""
    if ref is None or text is None:
        return e(cite(text, ref))
    return f'<span class="ref">kommentar {ref}:</span> <q>{e(text)}</q>'


def _block(s: GroupSummary, names: dict[str, str], level: int) -> str:
    h, sub = f"h{level}", f"h{level + 1}"
    out = [f"<{h}>{e(_title(s))}</{h}>", f"<p>{e(s.paragraph)}</p>"]
    if s.suppressed and not s.attention:
        return "".join(out)
    if not s.suppressed:
        out.append(_dist_svg(s))
        out.append(
            f"<p><strong>Nettot {e(signed(s.shown_net.value))}</strong> "
            f"(95 % intervall {e(interval_text(s.shown_net.low, s.shown_net.high))})</p>{_net_svg(s.shown_net)}"
        )
        from stamning.report.rows import key_figures

        out.append(_table(["Mått", "Värde"], [list(r) for r in key_figures(s)], num={1}))
    if s.attention:
        out.append(f'<{sub}>Att uppmärksamma</{sub}><p class="note">Listas oavsett helhetsbilden.</p>')
        rows = [
            [a.id, a.group or DASH, ", ".join(names.get(k, k) for k in a.themes), a.reason, cite(a.text, a.ref)]
            for a in s.attention
        ]
        out.append(f'<div class="attention">{_table(["Id", "Grupp", "Teman", "Skäl", "Citat"], rows)}</div>')
    if s.outliers and not s.suppressed:
        quotes = "".join(
            f"<li>Id {e(o.id)}{' <em>(osäker klassning)</em>' if o.uncertain else ''}: {_cite_html(o.text, o.ref)}</li>"
            for o in s.outliers
        )
        out.append(f'<div class="outlier"><p>{e(s.outlier_sentence)}</p><ul>{quotes}</ul></div>')
        out.append(charts.outlier_chart(s))
    if s.themes:
        out.append(
            f'<{sub}>Teman</{sub}><p class="note">Sorterade efter hur mycket de påverkar bilden; '
            "medelvärde på skalan −2 till +2.</p>"
        )
        from stamning.report.rows import mean_text

        out.append(charts.theme_impact_chart(s.themes))
        rows = []
        for t in s.themes:
            m = t.mean_score
            rows.append(
                [
                    e(t.name + (" (känsligt)" if t.sensitive else "")),
                    str(t.count),
                    e(pct(t.share)),
                    f"{_mean_svg(m.value)}{e(mean_text(m))}",
                    _cite_html(t.typical_positive.text, t.typical_positive.ref) if t.typical_positive else DASH,
                    _cite_html(t.typical_negative.text, t.typical_negative.ref) if t.typical_negative else DASH,
                ]
            )
        out.append(
            _table(
                ["Tema", "Antal", "Andel", "Medelvärde (95 % intervall)", "Typiskt positivt", "Typiskt negativt"],
                rows,
                raw={0, 1, 2, 3, 4, 5},
                num={1, 2},
            )
        )
    if s.index is not None:
        from stamning.report.rows import mean_text

        out.append(
            f"<{sub}>Index</{sub}><p>Medel (95 % intervall): {e(mean_text(s.index.mean, 1))}, n = {s.index.n}</p>"
        )
        rows = [[b.label, str(b.count), pct(b.share)] for b in s.index.bands]
        out.append(_table(["Nivå", "Antal", "Andel"], rows, num={1, 2}))
    return "".join(out)


def _groups(r, names: dict[str, str]) -> str:
    rows = []
    for g in r.groups:
        if g.suppressed:
            rows.append([e(g.group), DASH, DASH, f'<span class="suppressed">dold: {e(g.suppressed_reason)}</span>'])
        else:
            rows.append(
                [
                    e(g.group),
                    str(g.n),
                    e(pct(g.share_positive.value)) + " / " + e(pct(g.share_negative.value)),
                    f"{e(signed(g.net_score.value))} ({e(interval_text(g.net_score.low, g.net_score.high))})"
                    f"{_net_svg(g.net_score)}",
                ]
            )
    out = [
        "<h3>Grupper</h3>",
        charts.distribution_chart(r.groups, "Fördelning per grupp"),
        _table(["Grupp", "n", "Positiva / negativa", "Nettot (95 % intervall)"], rows, raw={0, 1, 2, 3}, num={1}),
    ]
    for g in r.groups:
        if not g.suppressed:
            out.append(f"<details><summary>{e(g.group)}</summary>{_block(g, names, 4)}</details>")
    return "".join(out)


def _change(c: RoundChange) -> str:
    items = "".join(f"<li>{e(s)}</li>" for s in c.sentences)
    return f"<h3>Omgång {e(c.before)} → {e(c.after)}</h3><ul>{items}</ul>"


def to_html(summary: Summary, *, title: str = "Sammanfattning av fritextsvar") -> str:
    """One HTML page with inline CSS and SVG charts; no scripts, fonts or images are fetched."""
    names: dict[str, str] = {}
    for r in summary.rounds:
        for s in [r, *r.groups]:
            names.update({t.key: t.name for t in s.themes})
    nav = "".join(f'<li><a href="#{_slug(i, _title(r))}">{e(_title(r))}</a></li>' for i, r in enumerate(summary.rounds))
    if summary.comparisons:
        nav += '<li><a href="#jamforelser">Jämförelser</a></li>'
    body = [
        f"<h1>{e(title)}</h1>",
        f'<p class="def">{e(source_line(summary.settings))}</p>',
        f'<p class="def">{e(NET_DEFINITION)}</p>',
        f"<nav><ul>{nav}</ul></nav>",
    ]
    body += [f'<p class="note">Obs: {e(n)}</p>' for n in summary.notes]
    if not summary.rounds and not summary.comparisons:
        body.append("<p>Inga kommentarer att sammanfatta.</p>")
    for i, r in enumerate(summary.rounds):
        groups = _groups(r, names) if r.groups else ""
        body.append(f'<section id="{_slug(i, _title(r))}">{_block(r, names, 2)}{groups}</section>')
    if summary.comparisons:
        body.append(
            '<section id="jamforelser"><h2>Jämförelser mellan omgångar</h2>'
            + charts.distribution_chart(summary.rounds, "Fördelning per omgång")
            + charts.net_trend_chart(summary.rounds)
            + charts.theme_trend_chart(summary.rounds)
            + "".join(_change(c) for c in summary.comparisons)
            + "</section>"
        )
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>" + "".join(body) + "</main></body></html>\n"
    )
