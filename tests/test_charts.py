"""Inline SVG charts: accessible, in Swedish number format, drawn to the summary's figures, no scripts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from conftest import frame, outlier_round, row
from stamning.report import charts
from stamning.report.render import to_html
from stamning.summary.rounds import summarize
from stamning.summary.stats import Interval

SVG = ""  # inline SVG in HTML: no namespace (the report has no external URL at all)


@pytest.fixture(scope="module")
def summary():
    rows = outlier_round(20, 4, round="2024", group="Förvaltningen")
    rows += [row("negativ", "ledarskap", round="2024", group="Nämnden") for _ in range(6)]
    rows += [row("positiv", "ledarskap", round="2025", group=g) for g in ("Förvaltningen", "Nämnden") for _ in range(9)]
    rows += [row("negativ", "kommunikation", round="2025", group="Nämnden") for _ in range(3)]
    return summarize(frame(rows), by=("round", "group"), include_comparison=True)


def _parse(markup: str) -> ET.Element:
    inner = re.search(r"<svg.*</svg>", markup, re.S).group(0)
    return ET.fromstring(inner)  # well-formed XML, or this raises


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]


def test_every_chart_is_accessible_wellformed_svg(summary):
    first = summary.rounds[0]
    markups = [
        charts.distribution_chart(first.groups),
        charts.net_trend_chart(summary.rounds),
        charts.theme_trend_chart(summary.rounds),
        charts.theme_impact_chart(first.themes),
        charts.outlier_chart(first.groups[0]),
    ]
    for markup in markups:
        assert markup, "a chart with data came back empty"
        svg = _parse(markup)
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert "<script" not in markup and "href" not in markup


def test_distribution_bars_show_swedish_percentages_of_the_summary(summary):
    r = summary.rounds[0]
    markup = charts.distribution_chart(r.groups)
    svg = _parse(markup)
    share = r.groups[0].distribution["positiv"]["share"]
    assert f"{round(100 * share)} %" in _texts(svg)
    assert "Förvaltningen" in _texts(svg) and "mycket negativ" in _texts(svg)
    widths = [float(x.get("width")) for x in svg.iter(f"{SVG}rect") if x.get("fill") == charts.COLORS["positiv"]]
    span = charts.WIDTH - charts.LABEL_W - 10
    assert widths[0] == pytest.approx(span * share, abs=0.01)


def test_numbers_use_a_decimal_comma_and_signs(summary):
    r = summary.rounds[0]
    texts = _texts(_parse(charts.theme_impact_chart(r.themes))) + _texts(_parse(charts.net_trend_chart(summary.rounds)))
    decimals = [t for t in texts if re.fullmatch(r"[-+]?\d+[.,]\d+", t)]
    assert decimals and all("," in t and "." not in t for t in decimals)
    assert any(re.fullmatch(r"[+-]\d+", t) for t in texts)  # the net score keeps its sign


def test_the_single_harsh_remark_is_marked_in_proportion(summary):
    group = summary.rounds[0].groups[0]
    assert len(group.outliers) == 1
    o = group.outliers[0]
    svg = _parse(charts.outlier_chart(group))
    texts = _texts(svg)
    assert f"Inringat: 1 av {group.n_classified} kommentarer ({round(100 / group.n_classified)} %)" in texts
    marker = [x for x in svg.iter(f"{SVG}rect") if x.get("fill") == "none"]
    span = charts.WIDTH - charts.LABEL_W - 10
    assert len(marker) == 1 and float(marker[0].get("width")) == pytest.approx(span / group.n_classified, abs=0.01)
    desc = svg.find(f"{SVG}desc").text
    assert f"{o.net_score_with:+.0f}" in desc and f"{o.net_score_without:+.0f}" in desc
    assert "Nettot med" in texts and "Nettot utan" in texts
    assert charts.outlier_chart(summary.rounds[1]) == ""  # no outlier, no chart


def test_values_outside_the_scale_stay_inside_the_drawing():
    svg = _parse(charts.net_chart([("Omgång 1", Interval(50.0, -180.0, 240.0))]))
    xs = [float(v) for line in svg.iter(f"{SVG}line") for v in (line.get("x1"), line.get("x2"))]
    assert min(xs) >= 0 and max(xs) <= charts.WIDTH


def test_nothing_to_draw_gives_no_chart(summary):
    assert charts.distribution_chart([]) == ""
    assert charts.net_trend_chart(summary.rounds[:1]) == ""  # a trend needs two rounds
    assert charts.theme_impact_chart([]) == ""
    assert charts.net_chart([("x", Interval(None, None, None))]) == ""


def test_labels_are_escaped():
    loud = '<b>Grupp & "co"</b>'
    markup = charts.net_chart([(loud, Interval(10.0, 0.0, 20.0))])
    assert "<b>" not in markup and "&lt;b&gt;" in markup
    _parse(markup)


def test_the_html_report_holds_the_charts_and_a_print_stylesheet(summary):
    html = to_html(summary)
    for kind in ("dist", "net", "themetrend", "themes", "outlier"):
        assert f'class="chart chart-{kind}"' in html, kind
    comparison = html[html.index('id="jamforelser"') :]
    assert "chart-net" in comparison and "chart-themetrend" in comparison
    assert "@media print" in html and "size:A4" in html and "details::details-content" in html
    assert "<script" not in html


def test_a_single_round_summarises_without_a_comparison_or_trend():
    s = summarize(frame(outlier_round(20, 4, round="2026")), by=("round",), include_comparison=True)
    assert s.comparisons == []
    html = to_html(s)
    assert "Omgång 2026" in html and 'id="jamforelser"' not in html and "chart-themetrend" not in html
