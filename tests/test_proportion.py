"""A single harsh remark in proportion: quoted once per report, sensitive comments only where listed for
attention, one outlier statement, typical examples of their own polarity, intervals inside the scale, and a
source line on every report."""

from __future__ import annotations

import io
import json

import pytest

from conftest import VALUES, frame, row
from stamning.records import SENTIMENT_LEVELS
from stamning.report import render as report
from stamning.summary.rounds import summarize

HARSH = "Chefen är en katastrof och förstör allt för oss på äldreomsorgen"
FROZEN = "Jag blir utfrusen av kollegorna och vågar inte säga något, jag vill egentligen inte vara anonym"


def harsh_round(n_pos: int = 24) -> list[dict]:
    rows = [
        row(
            "positiv",
            "ledarskap;kommunikation",
            round="2026",
            group="Vård" if i % 2 else "Skola",
            text=f"Tydlig ledning och bra information, tack ({i})",
            conf=0.7 + i / 1000,
        )
        for i in range(n_pos)
    ]
    rows.append(
        row(
            "mycket_negativ",
            "bemotande;ledarskap;kommunikation",
            round="2026",
            group="Vård",
            text=HARSH,
            conf=0.95,
            id="H1",
        )
    )
    rows.append(
        row("negativ", "krankning;ledarskap;kommunikation", round="2026", group="Vård", text=FROZEN, conf=0.97, id="F1")
    )
    return rows


@pytest.fixture(scope="module")
def harsh():
    return summarize(
        frame(harsh_round()),
        by=("round", "group"),
        min_quote_group=5,
        source={"file": "svar-åäö.csv", "model": "standardmodellen (vikter abc123)"},
    )


def _terminal(summary, width: int = 80) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    report.to_terminal(summary, console)
    return console.file.getvalue()


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("render", [report.to_markdown, report.to_html, _terminal])
def test_each_comment_is_quoted_at_most_once_per_report(harsh, render):
    out = _flat(render(harsh))
    assert out.count(HARSH[:40]) == 1 and out.count(FROZEN[:40]) == 1
    assert "se kommentar" in out


def test_json_carries_each_text_once_and_numbers_every_place(harsh):
    d = json.loads(report.to_json(harsh))
    places = []
    for r in d["rounds"]:
        for s in [r, *r["groups"]]:
            places += s["attention"] + s["outliers"]
            places += [t[k] for t in s["themes"] for k in ("typical_positive", "typical_negative") if t[k]]
    harsh_places = [p for p in places if p["id"] == "H1"]
    assert len(harsh_places) >= 3  # round and group: attention and outlier
    assert [p["text"] for p in harsh_places].count(HARSH) == 1
    assert len({p["ref"] for p in harsh_places}) == 1


def test_sensitive_and_outlier_comments_are_never_typical_examples(harsh):
    for s in [harsh.rounds[0], *harsh.rounds[0].groups]:
        for t in s.themes:
            for q in (t.typical_positive, t.typical_negative):
                assert q is None or q.id not in ("F1", "H1")
        if s.group == "Vård" or s.group is None:
            assert {a.id for a in s.attention} == {"F1", "H1"}


def test_two_outliers_make_one_statement_consistent_with_the_distribution():
    rows = harsh_round(30)
    rows.append(row("mycket_negativ", "ekonomi", round="2026", group="Skola", text="Pengarna räcker aldrig", id="H2"))
    s = summarize(frame(rows), min_quote_group=5).rounds[0]
    assert s.distribution["mycket_negativ"]["count"] == 2
    assert len(s.outliers) == 2 and len({o.sentence for o in s.outliers}) == 1
    assert s.outlier_sentence.startswith(
        "2 av 33 kommentarer är mycket negativa (bemötande, ledarskap, "
        "kommunikation, ekonomi och resurser). Av övriga 31 är 30 positiva;"
    )
    assert "med dem och" in s.outlier_sentence
    md = report.to_markdown(summarize(frame(rows), min_quote_group=5))
    assert md.count("2 av 33 kommentarer") == 2  # the paragraph and the outlier section, no box per comment
    assert "1 av 33" not in md


def _prob_row(sentiment: str, probs: dict[str, float], **kw) -> dict:
    d = row(sentiment, **kw)
    d.update(
        sentiment_score=sum(VALUES[k] * p for k, p in probs.items()),
        sentiment_confidence=probs[sentiment],
        **{f"p_{k}": probs[k] for k in SENTIMENT_LEVELS},
    )
    return d


def test_typical_examples_carry_their_polarity_or_none_is_shown():
    # labelled positiv, but the probabilities put the score below zero; and a mixed comment
    odd = _prob_row(
        "positiv",
        {"mycket_negativ": 0.42, "negativ": 0.02, "neutral": 0.02, "positiv": 0.5, "mycket_positiv": 0.04},
        themes="stod",
        text="Stödet? Ja, på papperet.",
    )
    mixed = row("positiv", "stod", text="Bra stöd men usel återkoppling", conf=0.99, mixed=True)
    rows = [odd, mixed] + [row("negativ", "stod", text=f"Inget stöd alls ({i})") for i in range(4)]
    rows += [row("neutral", "ekonomi") for _ in range(4)]
    [stod] = [t for t in summarize(frame(rows)).rounds[0].themes if t.key == "stod"]
    assert stod.typical_positive is None
    assert stod.typical_negative.sentiment == "negativ" and stod.typical_negative.text.startswith("Inget stöd")


def test_theme_interval_stays_on_the_scale_and_too_few_comments_say_so():
    spread = [row("mycket_positiv", "ledarskap", conf=0.99) for _ in range(3)]
    spread += [row("mycket_negativ", "ledarskap", conf=0.99) for _ in range(2)]
    few = [row("negativ", "ekonomi") for _ in range(3)]
    s = summarize(frame(spread + few + [row("neutral") for _ in range(5)])).rounds[0]
    led = next(t for t in s.themes if t.key == "ledarskap")
    assert led.count == 5 and -2 <= led.mean_score.low <= led.mean_score.high <= 2
    assert led.mean_score.low == -2.0  # the t interval reaches below -2 and is cut at the scale's end
    eko = next(t for t in s.themes if t.key == "ekonomi")
    assert eko.mean_score.low is None and eko.mean_score.value == pytest.approx(eko.mean_score.value)
    md = report.to_markdown(summarize(frame(spread + few + [row("neutral") for _ in range(5)])))
    assert "för få kommentarer för ett intervall" in md


@pytest.mark.parametrize("fmt", ["md", "html", "terminal", "json", "xlsx"])
def test_every_report_has_a_source_line(harsh, fmt, tmp_path):
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(report.to_xlsx(harsh, tmp_path / "r.xlsx"))
        text = " ".join(str(c.value) for ws in wb for r in ws.iter_rows() for c in r if c.value is not None)
    elif fmt == "json":
        src = json.loads(report.to_json(harsh))["settings"]["source"]
        assert src["file"] == "svar-åäö.csv" and src["rows"] == 26 and src["classification"] == "automatisk"
        assert src["model"] == "standardmodellen (vikter abc123)" and len(src["date"]) == 10
        return
    else:
        text = {"md": report.to_markdown, "html": report.to_html, "terminal": _terminal}[fmt](harsh)
    text = _flat(text)
    assert "Källa: svar-åäö.csv, 26 rader, sammanfattad 20" in text
    assert "modell: standardmodellen (vikter abc123)" in text and "klassade automatiskt" in text
