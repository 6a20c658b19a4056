"""Inline SVG charts for the HTML report and the workbench: no scripts, no fonts, no images fetched.

Every chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in words what the
chart shows (screen readers, and text search), text labels on the bars and points, and Swedish number
formatting (``43 %``, ``+12``, ``0,75``). Charts take summary dataclasses and return markup; a chart
without data to show returns ``""``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from stamning.records import SENTIMENT_LEVELS
from stamning.summary.stats import Interval
from stamning.summary.types import GroupSummary, Outlier, RoundSummary, ThemeSummary
from stamning.summary.wording import LEVEL_NAMES, dec, interval_text, pct, signed

COLORS = {
    "mycket_negativ": "#b2182b",
    "negativ": "#ef8a62",
    "neutral": "#bdbdbd",
    "positiv": "#67a9cf",
    "mycket_positiv": "#2166ac",
}
INK, MUTED, GRID, ACCENT = "#1a1a1a", "#555", "#ddd", "#2166ac"
FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"'
WIDTH = 680
LABEL_W = 215  # room for a row label on the left
NET_RANGE = (-100.0, 100.0)
SCORE_RANGE = (-2.0, 2.0)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _id(kind: str, *parts: object) -> str:
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:10]
    return f"ch-{kind}-{digest}"


def _svg(kind: str, height: float, title: str, desc: str, body: str) -> str:
    """The chart frame: accessible name and description, scales with its container."""
    ident = _id(kind, title, desc)
    return (
        f'<figure class="chart chart-{kind}"><svg viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} font-size="12">'
        f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(desc)}</desc>{body}</svg></figure>'
    )


def _text(
    x: float, y: float, text: str, anchor: str = "start", fill: str = INK, size: float = 12, weight: str = "normal"
) -> str:
    bold = ' font-weight="bold"' if weight != "normal" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{size}"{bold}>{_e(text)}</text>'
    )


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _clip(v: float, lo: float, hi: float) -> float:
    return min(max(v, lo), hi)


@dataclass(frozen=True)
class _Axis:
    """A value range mapped onto [x0, x1] pixels."""

    lo: float
    hi: float
    x0: float
    x1: float

    def __call__(self, v: float) -> float:
        return self.x0 + (_clip(v, self.lo, self.hi) - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)


# ------------------------------------------------------------------ five-level distribution


def _legend(y: float) -> str:
    out: list[str] = []
    x = float(LABEL_W)
    for lvl in SENTIMENT_LEVELS:
        out.append(f'<rect x="{x:g}" y="{y - 9}" width="10" height="10" fill="{COLORS[lvl]}"/>')
        out.append(_text(x + 14, y, LEVEL_NAMES[lvl], size=11))
        x += 24 + 6.5 * len(LEVEL_NAMES[lvl])
    return "".join(out)


def _bar(y: float, dist: dict, h: float = 20, marked: int = 0, n_classified: int = 0, right: bool = False) -> str:
    """One stacked bar of the five levels; ``marked`` comments outlined at the very negative end
    (``right``: at the very positive end)."""
    x, out = float(LABEL_W), []
    span = WIDTH - LABEL_W - 10
    for lvl in SENTIMENT_LEVELS:
        share = dist[lvl]["share"] or 0.0
        w = span * share
        if w <= 0:
            continue
        tip = f"{LEVEL_NAMES[lvl]}: {dist[lvl]['count']} ({pct(share)})"
        out.append(
            f'<rect x="{x:.2f}" y="{y:.1f}" width="{w:.2f}" height="{h}" fill="{COLORS[lvl]}"><title>{_e(tip)}</title></rect>'
        )
        if w >= 34:
            fill = "#fff" if lvl in ("mycket_negativ", "mycket_positiv") else INK
            out.append(_text(x + w / 2, y + h / 2 + 4, pct(share), "middle", fill, 11))
        x += w
    if marked and n_classified:
        w = span / n_classified * marked
        x0 = LABEL_W + span - w if right else LABEL_W
        out.append(
            f'<rect x="{x0:.2f}" y="{y - 3:.1f}" width="{w:.2f}" height="{h + 6}" fill="none" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
    return "".join(out)


def distribution_chart(rows: Sequence[GroupSummary], title: str = "Fördelning på fem nivåer") -> str:
    """Stacked bars, one per visible round or group, shares of the classified comments."""
    shown = [s for s in rows if not s.suppressed and s.distribution and s.n_classified]
    if not shown:
        return ""
    body, desc, y = [], [], 24.0
    for s in shown:
        label = s.group if s.group is not None else s.label
        body.append(_text(LABEL_W - 8, y + 9, _short(label, 32), "end", size=11))
        body.append(_text(LABEL_W - 8, y + 20, f"n = {s.n_classified}", "end", MUTED, 10))
        body.append(_bar(y, s.shown_distribution))
        desc.append(
            f"{label}: "
            + ", ".join(f"{LEVEL_NAMES[lvl]} {pct(s.shown_distribution[lvl]['share'])}" for lvl in SENTIMENT_LEVELS)
        )
        y += 30
    body.append(_legend(y + 12))
    return _svg("dist", y + 22, title, "; ".join(desc) + ".", "".join(body))


# ------------------------------------------------------------------ net score with its interval


def _dot_whisker(axis: _Axis, y: float, iv: Interval, fmt=signed) -> str:
    out = []
    if iv.low is not None and iv.high is not None:
        out.append(
            f'<line x1="{axis(iv.low):.2f}" y1="{y:.1f}" x2="{axis(iv.high):.2f}" y2="{y:.1f}" '
            f'stroke="{ACCENT}" stroke-width="3" stroke-linecap="round"/>'
        )
    if iv.value is None:
        return "".join(out)
    cx = axis(iv.value)
    out.append(f'<circle cx="{cx:.2f}" cy="{y:.1f}" r="5" fill="{ACCENT}"/>')
    anchor, dx = ("start", 9) if cx < (axis.x0 + axis.x1) / 2 else ("end", -9)
    out.append(_text(cx + dx, y - 7, fmt(iv.value), anchor, INK, 11, "bold"))
    return "".join(out)


def _scale(axis: _Axis, y0: float, y1: float, ticks: Sequence[float], fmt) -> str:
    out = []
    for t in ticks:
        x = axis(t)
        stroke = MUTED if t == 0 else GRID
        out.append(f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="{stroke}"/>')
        out.append(_text(x, y1 + 14, fmt(t), "middle", MUTED, 10))
    return "".join(out)


def _interval_rows(
    items: Sequence[tuple[str, Interval | None]],
    kind: str,
    title: str,
    lead: str,
    rng: tuple[float, float],
    ticks: Sequence[float],
    fmt,
    tick_fmt=signed,
) -> str:
    """A row per item: label on the left, the value as a dot and its 95 % interval as a line.
    An item whose interval is None is a heading for the rows below it."""
    items = [(label, iv) for label, iv in items if iv is None or iv.value is not None]
    if not any(iv is not None for _, iv in items):
        return ""
    axis = _Axis(rng[0], rng[1], LABEL_W + 10, WIDTH - 20)
    top, step = 14.0, 28.0
    bottom = top + step * len(items)
    body = [_scale(axis, top - 6, bottom - 10, ticks, tick_fmt)]
    desc, heading = [], ""
    for i, (label, iv) in enumerate(items):
        y = top + step * i + 8
        if iv is None:
            heading = label
            body.append(_text(4, y + 8, _short(label, 60), weight="bold"))
            continue
        body.append(_text(LABEL_W - 8, y + 4, _short(label), "end"))
        body.append(_dot_whisker(axis, y, iv, fmt))
        name = f"{heading}, {label}" if heading else label
        desc.append(f"{name}: {fmt(iv.value)} (95 % intervall {interval_text(iv.low, iv.high, fmt)})")
    return _svg(kind, bottom + 12, title, lead + " " + "; ".join(desc) + ".", "".join(body))


def net_chart(items: Sequence[tuple[str, Interval]], title: str = "Nettot med 95 % intervall") -> str:
    """The net score (−100…+100) per round or group, with its interval."""
    return _interval_rows(
        items,
        "net",
        title,
        "Nettot på skalan −100 till +100, med 95 % intervall.",
        NET_RANGE,
        (-100, -50, 0, 50, 100),
        signed,
    )


def net_trend_chart(rounds: Sequence[RoundSummary]) -> str:
    """The net score across rounds (oldest first), one row per round."""
    items = [(f"Omgång {r.round}", r.shown_net) for r in rounds if not r.suppressed]
    if len(items) < 2:
        return ""
    return net_chart(items, "Nettot per omgång med 95 % intervall")


def theme_trend_chart(rounds: Sequence[RoundSummary], limit: int = 6) -> str:
    """Each theme's mean score (−2…+2) per round: small rows grouped by theme, for the themes that matter most."""
    visible = [r for r in rounds if not r.suppressed]
    if len(visible) < 2:
        return ""
    order: dict[str, str] = {}
    for r in visible:
        for t in r.themes:
            order.setdefault(t.key, t.name)
    keys = list(order)[:limit]
    items: list[tuple[str, Interval | None]] = []
    for key in keys:
        items.append((order[key], None))
        for r in visible:
            found = next((t for t in r.themes if t.key == key), None)
            if found is not None and found.mean_score.value is not None:
                items.append((f"Omgång {r.round}", found.mean_score))
    if not items:
        return ""
    return _interval_rows(
        items,
        "themetrend",
        "Temans medelvärde per omgång (skala −2 till +2)",
        "Medelvärde per tema och omgång på skalan −2 till +2, med 95 % intervall.",
        SCORE_RANGE,
        (-2, -1, 0, 1, 2),
        dec,
    )


# ------------------------------------------------------------------ themes: count and mean score


def theme_impact_chart(themes: Sequence[ThemeSummary], limit: int = 10) -> str:
    """Per theme (in impact order): a bar for the number of comments and the mean score on −2…+2."""
    themes = list(themes)[:limit]
    if not themes:
        return ""
    most = max(t.count for t in themes) or 1
    bars = _Axis(0, most, LABEL_W, LABEL_W + 150)
    axis = _Axis(SCORE_RANGE[0], SCORE_RANGE[1], LABEL_W + 200, WIDTH - 20)
    top, step = 30.0, 26.0
    bottom = top + step * len(themes)
    body = [
        _text(LABEL_W, 14, "Antal kommentarer", size=11, fill=MUTED),
        _text(axis(0), 14, "Medelvärde (−2 till +2)", "middle", MUTED, 11),
        _scale(axis, top - 6, bottom - 8, (-2, -1, 0, 1, 2), signed),
    ]
    desc = []
    for i, t in enumerate(themes):
        y = top + step * i
        name = t.name + (" (känsligt)" if t.sensitive else "")
        w = bars(t.count) - LABEL_W
        body.append(_text(LABEL_W - 8, y + 9, _short(name), "end"))
        body.append(f'<rect x="{LABEL_W}" y="{y}" width="{max(w, 1):.2f}" height="12" fill="#9ecae1"/>')
        body.append(_text(LABEL_W + w + 4, y + 10, str(t.count), size=11))
        m = t.mean_score
        if m.value is not None:
            color = COLORS["positiv"] if m.value >= 0 else COLORS["negativ"]
            x0, x1 = sorted((axis(0), axis(m.value)))
            body.append(f'<rect x="{x0:.2f}" y="{y}" width="{max(x1 - x0, 1):.2f}" height="12" fill="{color}"/>')
            anchor, dx = ("start", 4) if m.value >= 0 else ("end", -4)
            body.append(_text(axis(m.value) + dx, y + 10, dec(m.value), anchor, INK, 11))
        desc.append(f"{name}: {t.count} kommentarer ({pct(t.share)}), medelvärde {dec(m.value)}")
    return _svg(
        "themes",
        bottom + 14,
        "Teman: antal och medelvärde",
        "Teman i ordning efter påverkan på helhetsbilden. " + "; ".join(desc) + ".",
        "".join(body),
    )


# ------------------------------------------------------------------ the single harsh remark in proportion


def outlier_chart(s: GroupSummary, outliers: Sequence[Outlier] | None = None) -> str:
    """The distribution with the outlying comment(s) outlined, and the net score with and without them."""
    outliers = list(s.outliers if outliers is None else outliers)
    if not outliers or s.suppressed or not s.distribution or not s.n_classified:
        return ""
    k, n = len(outliers), s.n_classified
    o = outliers[0]
    right = o.sentiment == "mycket_positiv"
    body = [
        _text(LABEL_W - 8, 38, "Alla kommentarer", "end"),
        _bar(24, s.distribution, 20, k, n, right),
        _text(LABEL_W, 62, f"Inringat: {k} av {n} kommentarer ({pct(k / n)})", size=11, fill=MUTED),
    ]
    axis = _Axis(NET_RANGE[0], NET_RANGE[1], LABEL_W + 10, WIDTH - 20)
    body.append(_scale(axis, 74, 128, (-100, -50, 0, 50, 100), signed))
    without = "Nettot utan" if k == 1 else f"Utan kommentar {_short(o.id, 12)}"
    for i, (label, value) in enumerate((("Nettot med", o.net_score_with), (without, o.net_score_without))):
        y = 86 + 26 * i
        body.append(_text(LABEL_W - 8, y + 4, label, "end"))
        body.append(_dot_whisker(axis, y, Interval(value, None, None)))
    desc = (
        f"{k} av {n} kommentarer ({pct(k / n)}) är {LEVEL_NAMES[o.sentiment].lower()}. "
        f"Nettot är {signed(o.net_score_with)} med och {signed(o.net_score_without)} utan "
        f"{'den' if k == 1 else 'kommentar ' + o.id}."
    )
    return _svg("outlier", 154, "Den avvikande kommentaren i proportion", desc, "".join(body))
