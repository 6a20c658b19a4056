"""Round summaries: figures pinned on small hand-computed cases, confidentiality, outliers, attention, compare."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import frame, outlier_round, row
from stamning.errors import ColumnError, ConfigError, InputError
from stamning.records import SENTIMENT_LEVELS
from stamning.summary import stats
from stamning.summary.rounds import HIDDEN_QUOTE, compare, hidden_groups, summarize

# ------------------------------------------------------------------ stats helpers


def test_wilson_interval_for_3_of_10_matches_hand_computation():
    iv = stats.wilson(3, 10)
    # Wilson by hand: centre (0.3 + z²/20)/(1 + z²/10), half-width z·sqrt(0.021 + z²/400)/(1 + z²/10), z = 1.95996
    assert iv.value == pytest.approx(0.3)
    assert iv.low == pytest.approx(0.10779, abs=1e-5)
    assert iv.high == pytest.approx(0.60322, abs=1e-5)


def test_trimmed_mean_cuts_ten_percent_at_each_end_and_median():
    values = [-2, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    assert stats.trimmed_mean(values) == pytest.approx(1.0)  # -2 and 2 cut; plain mean is 0.8
    assert np.mean(values) == pytest.approx(0.8)
    assert stats.median([-2, 0, 1, 2]) == pytest.approx(0.5)


def test_mean_t_interval_pinned():
    iv = stats.mean_t_interval([1, 2, 3])  # sd 1, se 1/sqrt(3), t(0.975, 2) = 4.302653
    assert iv.value == pytest.approx(2.0)
    assert iv.low == pytest.approx(2 - 4.302653 / math.sqrt(3), abs=1e-5)
    assert iv.high == pytest.approx(2 + 4.302653 / math.sqrt(3), abs=1e-5)
    assert stats.mean_t_interval([1.5]).low is None


def test_net_score_bootstrap_is_seeded_and_brackets_the_value():
    codes = stats.polarity_codes(["positiv"] * 12 + ["neutral"] * 5 + ["negativ"] * 4)
    a, b = stats.net_score_interval(codes, seed=7), stats.net_score_interval(codes, seed=7)
    assert a == b
    assert a.value == pytest.approx(100 * 8 / 21)
    assert a.low < a.value < a.high
    assert a.method == "bootstrap_bca"


def test_net_score_interval_when_all_comments_agree_uses_wilson_fallback():
    iv = stats.net_score_interval(stats.polarity_codes(["positiv"] * 10))
    assert iv.method == "wilson_fallback"
    assert iv.value == 100.0 and iv.high == 100.0
    assert iv.low == pytest.approx(100 * stats.wilson(10, 10).low)
    assert iv.low < 80  # ten comments cannot pin the net score near +100


# ------------------------------------------------------------------ round figures


def test_counts_distribution_and_shares():
    rows = [
        row("positiv", conf=0.9),
        row("positiv", conf=0.4),
        row("mycket_positiv", mixed=True),
        row("neutral"),
        row("negativ", mixed=True),
        row(None, status="skipped"),
    ]
    s = summarize(frame(rows), min_group=1, min_quote_group=1).rounds[0]
    assert (s.n, s.n_classified, s.n_skipped, s.n_uncertain, s.n_mixed) == (6, 5, 1, 1, 2)
    assert s.distribution["positiv"] == {"count": 2, "share": pytest.approx(0.4)}
    assert s.distribution["mycket_negativ"]["count"] == 0
    assert s.share_positive.value == pytest.approx(3 / 5)
    assert s.share_negative.value == pytest.approx(1 / 5)
    assert (s.share_positive.low, s.share_positive.high) == (stats.wilson(3, 5).low, stats.wilson(3, 5).high)
    assert s.net_score.value == pytest.approx(40.0)  # (3 - 1) / 5: the neutral counts in the denominator


def test_outlier_sentence_twenty_positive_and_one_very_negative():
    s = summarize(frame(outlier_round(20))).rounds[0]
    assert s.net_score.value == pytest.approx(100 * 19 / 21)  # 90.48
    [o] = s.outliers
    assert o.sentence == (
        "1 av 21 kommentarer är mycket negativ (bemötande). Övriga 20 är positiva; nettot är +90 med den och +100 utan."
    )
    assert o.id == "R021" and o.themes == ["bemotande"] and o.sentiment == "mycket_negativ"
    assert o.net_score_with == pytest.approx(90.476, abs=1e-3) and o.net_score_without == pytest.approx(100.0)
    # 21 ≥ min_quote_group: quoted, once: in the attention list (very negative about bemötande); the
    # outlier refers to it by number
    [a] = s.attention
    assert a.text == "Jag blev förödmjukad av Karin på mötet" and a.ref == 1
    assert o.text is None and o.ref == 1
    assert o.sentence in s.paragraph


def test_outlier_sentence_with_a_neutral_gives_86_and_95():
    # 19 positive, 1 neutral, 1 very negative: with = (19 - 1)/21 = +85.7, without = 19/20 = +95
    s = summarize(frame(outlier_round(19, n_neutral=1))).rounds[0]
    [o] = s.outliers
    assert o.sentence == (
        "1 av 21 kommentarer är mycket negativ (bemötande). "
        "Av övriga 20 är 19 positiva; nettot är +86 med den och +95 utan."
    )


def test_outlier_mirrored_and_needs_a_two_thirds_majority():
    rows = [row("negativ", "ekonomi") for _ in range(20)] + [row("mycket_positiv", "ledarskap;stod")]
    [o] = summarize(frame(rows)).rounds[0].outliers
    assert o.sentence == (
        "1 av 21 kommentarer är mycket positiv (ledarskap, stöd). "
        "Övriga 20 är negativa; nettot är -90 med den och -100 utan."
    )
    # 14 of 21 positive is exactly 2/3: an outlier; 13 of 21 is not
    at_two_thirds = [row("positiv")] * 14 + [row("neutral")] * 6 + [row("mycket_negativ")]
    below = [row("positiv")] * 13 + [row("neutral")] * 7 + [row("mycket_negativ")]
    assert len(summarize(frame(at_two_thirds)).rounds[0].outliers) == 1
    assert summarize(frame(below)).rounds[0].outliers == []


def test_attention_lists_sensitive_comment_even_when_majority_is_positive():
    rows = [row("mycket_positiv", "ledarskap") for _ in range(15)]
    rows.append(row("neutral", "krankning", text="Min chef har kallat mig saker inför alla", id="K1"))
    rows.append(row("mycket_negativ", "bemotande", text="Otrevligt bemötande i receptionen", id="B1"))
    rows.append(row("mycket_negativ", "ekonomi", text="Budgeten är ett skämt", id="E1"))
    rows.append(row("negativ", "bemotande", text="Lite snäsig ibland", id="B2"))
    s = summarize(frame(rows)).rounds[0]
    assert s.share_positive.value > 0.75
    by_id = {a.id: a for a in s.attention}
    assert set(by_id) == {"K1", "B1"}
    assert by_id["K1"].reason == "känsligt tema: kränkning och trakasserier"
    assert by_id["K1"].text == "Min chef har kallat mig saker inför alla"
    assert by_id["B1"].reason == "mycket negativ om bemötande"
    assert "listas för uppföljning" in s.paragraph


def test_themes_sorted_by_impact_with_typical_quotes():
    rows = [row("positiv", "ledarskap", text=f"Tydlig ledning {i}", conf=0.6 + i / 100) for i in range(10)]
    rows += [
        row("mycket_negativ", "it_system", text="Systemet kraschar hela tiden", conf=0.9),
        row("negativ", "it_system", text="Datorerna är långsamma", conf=0.7),
    ]
    rows += [row("positiv", "", text="Allt bra") for _ in range(10)]
    s = summarize(frame(rows)).rounds[0]
    # impact = |theme mean - round mean| × count: the two IT complaints move the picture more than ten
    # ledarskap comments that are about as positive as the round
    assert [t.key for t in s.themes] == ["it_system", "ledarskap"]
    it, led = s.themes
    score = [r["sentiment_score"] for r in rows]
    overall = np.mean(score)
    assert it.count == 2 and it.share == pytest.approx(2 / 22)
    assert it.impact == pytest.approx(abs(np.mean(score[10:12]) - overall) * 2)
    assert led.impact == pytest.approx(abs(np.mean(score[:10]) - overall) * 10)
    assert it.impact > 2 * led.impact
    assert it.mean_score.value == pytest.approx(np.mean(score[10:12]))
    assert it.name == "IT och digitala verktyg"
    # "Systemet kraschar" (0.9) is the round's outlier, stated on its own: the typical example is the
    # most confident of the rest
    assert [o.text for o in s.outliers] == ["Systemet kraschar hela tiden"]
    assert it.typical_negative.text == "Datorerna är långsamma"
    assert it.typical_positive is None
    assert led.typical_positive.text == "Tydlig ledning 9"


def test_index_bands_default_and_custom():
    idx = [55, 60, 69.9, 70, 80, np.nan]
    rows = [row("positiv", index=v) for v in idx]
    s = summarize(frame(rows), min_group=1).rounds[0]
    assert s.index.n == 5
    assert [(b.label, b.count) for b in s.index.bands] == [
        ("under godkänt", 1),
        ("godkänt", 2),
        ("bra", 1),
        ("utmärkt", 1),
    ]
    assert s.index.mean.value == pytest.approx(np.mean([55, 60, 69.9, 70, 80]))
    custom = summarize(frame(rows), min_group=1, index_bands={"låg": 0, "hög": 65}).rounds[0]
    assert [(b.label, b.count) for b in custom.index.bands] == [("låg", 2), ("hög", 3)]
    with pytest.raises(ConfigError):
        summarize(frame(rows), index_bands=[("x", "y")])
    assert summarize(frame([row("positiv")] * 5)).rounds[0].index is None


def test_rounds_and_paragraph_state_uncertainty_for_small_n():
    rows = [row("positiv", round="2025")] * 6 + [row("negativ", round="2024")] * 6 + [row("positiv", round="2024")] * 2
    s = summarize(frame(rows))
    assert [r.round for r in s.rounds] == ["2024", "2025"]
    p = s.rounds[0].paragraph
    assert p.startswith("Omgång 2024: 8 kommentarer.")
    assert "neutrala räknas med i nämnaren" in p
    assert "Underlaget är litet (8 klassade)" in p


# ------------------------------------------------------------------ confidentiality


def _grouped(sizes: dict[str, int], secret: str = "HEMLIGT citat från Åsa i lilla gruppen"):
    rows = []
    for g, n in sizes.items():
        rows += [row("positiv", "ledarskap", text=f"{secret} ({g})", group=g) for _ in range(n)]
    return frame(rows)


def test_group_of_four_hidden_and_next_smallest_complementary():
    s = summarize(_grouped({"Alfa": 4, "Beta": 6, "Gamma": 12}), by=("round", "group"))
    r = s.rounds[0]
    assert not r.suppressed and r.n == 22
    g = {x.group: x for x in r.groups}
    assert g["Alfa"].suppressed and g["Alfa"].suppressed_reason == "färre än 5 svarande"
    assert g["Beta"].suppressed and g["Beta"].suppressed_reason.startswith("komplementär undertryckning")
    assert not g["Gamma"].suppressed and g["Gamma"].n == 12
    d = s.to_dict()["rounds"][0]["groups"]
    hidden = [x for x in d if x["group"] in ("Alfa", "Beta")]
    assert all(x["n"] is None and x["net_score"] is None and x["themes"] == [] for x in hidden)
    assert "HEMLIGT" not in json.dumps(hidden, ensure_ascii=False)


def test_group_of_five_is_shown_and_nothing_is_complemented():
    r = summarize(_grouped({"Alfa": 5, "Beta": 6}), by=("round", "group")).rounds[0]
    assert [x.suppressed for x in r.groups] == [False, False]


def test_two_tiny_hidden_groups_are_complemented_until_five_rows_hidden():
    assert hidden_groups({"A": 2, "B": 2, "C": 20, "D": 30}, 5).keys() == {"A", "B", "C"}
    assert hidden_groups({"A": 2, "B": 3, "C": 20}, 5).keys() == {"A", "B"}
    assert hidden_groups({"A": 7, "B": 9}, 5) == {}


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(1, 30), min_size=1, max_size=6),
    st.integers(0, 10),
)
def test_complementary_suppression_never_leaves_a_recoverable_group(sizes, min_group):
    hidden = hidden_groups(sizes, min_group)
    assert all(g in hidden for g, n in sizes.items() if n < min_group)
    if hidden and len(hidden) < len(sizes):
        # what can be recovered from the round total is the hidden groups' sum: at least two groups, ≥ min_group rows
        assert len(hidden) >= 2 and sum(sizes[g] for g in hidden) >= min_group


def test_small_round_shows_no_figures_but_still_lists_attention_without_text():
    rows = [row("positiv", round="2024") for _ in range(3)]
    rows.append(row("negativ", "diskriminering", round="2024", text="Jag nekades tjänst pga ålder", id="D1"))
    r = summarize(frame(rows)).rounds[0]
    assert r.suppressed and r.n is None and r.net_score is None and r.outliers == []
    assert [a.id for a in r.attention] == ["D1"] and r.attention[0].text == HIDDEN_QUOTE
    assert "nekades" not in json.dumps(r.to_dict(), ensure_ascii=False)


def test_quotes_hidden_below_min_quote_group_and_redactor_applied_otherwise():
    rows = [row("positiv", "ledarskap", group="Liten", text="Karin på Ödeshög är bäst") for _ in range(8)]
    rows += [row("positiv", "ledarskap", group="Stor", text="Karin på Ödeshög är bäst") for _ in range(12)]
    s = summarize(frame(rows), by=("round", "group"), redactor=lambda t: t.replace("Karin", "[namn]"))
    small, big = s.rounds[0].groups
    assert small.group == "Liten" and not small.suppressed and not small.quotes_shown
    assert small.themes[0].typical_positive.text == HIDDEN_QUOTE
    assert big.quotes_shown and big.themes[0].typical_positive.text == "[namn] på Ödeshög är bäst"
    assert "Karin" not in json.dumps(s.to_dict(), ensure_ascii=False)
    assert s.settings["redacted"] is True


def test_attention_item_does_not_name_a_hidden_group():
    rows = [row("positiv", group="Stor") for _ in range(20)] + [row("positiv", group="Mellan") for _ in range(6)]
    rows += [row("positiv", group="Liten") for _ in range(2)]
    rows.append(row("negativ", "hot_sakerhet", group="Liten", id="H1"))
    r = summarize(frame(rows), by=("round", "group")).rounds[0]
    [a] = r.attention
    assert a.id == "H1" and a.group is None
    assert {g.group for g in r.groups if g.suppressed} == {"Liten", "Mellan"}


# ------------------------------------------------------------------ JSON schema and errors


def test_to_dict_has_the_documented_keys_and_is_json():
    s = summarize(frame(outlier_round(20, group="Alfa")), by=("round", "group"), include_comparison=False)
    d = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert d["schema_version"] == 2 and d["generated_by"] == "stamning"
    assert {"min_group", "min_quote_group", "confidence_threshold", "net_score_definition"} <= d["settings"].keys()
    r = d["rounds"][0]
    required = {
        "round",
        "n",
        "n_classified",
        "n_skipped",
        "n_uncertain",
        "n_mixed",
        "distribution",
        "share_positive",
        "share_negative",
        "net_score",
        "median_score",
        "trimmed_mean_score",
        "outliers",
        "attention",
        "themes",
        "index",
        "groups",
        "suppressed",
        "suppressed_reason",
        "paragraph",
    }
    assert required <= r.keys()
    assert set(r["distribution"]) == set(SENTIMENT_LEVELS)
    assert {"value", "low", "high"} <= r["share_positive"].keys() and {"value", "low", "high"} <= r["net_score"].keys()
    assert {"id", "sentiment", "themes", "text", "net_score_with", "net_score_without", "sentence"} <= r["outliers"][
        0
    ].keys()
    assert {"id", "themes", "reason"} <= r["attention"][0].keys()
    assert (required - {"groups"}) <= r["groups"][0].keys()
    assert "comparisons" not in d


def test_input_errors_name_columns_not_text():
    with pytest.raises(ColumnError, match="sentiment_score"):
        summarize(frame([row("positiv")]).drop(columns=["sentiment_score"]))
    with pytest.raises(ColumnError, match="group"):
        summarize(frame([row("positiv")]).drop(columns=["group"]), by=("round", "group"))
    bad = frame([row("positiv", text="Privat åsikt om Per")])
    bad.loc[0, "sentiment"] = "glad"
    with pytest.raises(InputError) as err:
        summarize(bad)
    assert "Per" not in str(err.value)
    with pytest.raises(InputError, match="index"):
        summarize(frame([row("positiv", index=130)]))
    with pytest.raises(ConfigError):
        summarize(frame([row("positiv")]), by=("kön",))


def test_without_round_column_everything_is_one_round():
    df = frame([row("positiv")] * 6).drop(columns=["round"])
    [r] = summarize(df).rounds
    assert r.round == "(alla)" and r.n == 6 and r.paragraph.startswith("Alla svar: 6 kommentarer.")


# ------------------------------------------------------------------ compare


def _round(round, pos, neu, neg, theme=""):
    return (
        [row("positiv", theme, round=round) for _ in range(pos)]
        + [row("neutral", round=round) for _ in range(neu)]
        + [row("negativ", round=round) for _ in range(neg)]
    )


def test_compare_tiny_change_is_no_secured_change():
    c = compare(frame(_round("2024", 20, 10, 0) + _round("2025", 21, 9, 0)))
    [ch] = c.changes
    assert (ch.before, ch.after, ch.n_before, ch.n_after) == ("2024", "2025", 30, 30)
    assert ch.share_positive.change == pytest.approx(1 / 30)
    assert not ch.share_positive.significant and not ch.net_score.significant
    assert any("ingen säkerställd förändring" in s for s in ch.sentences)
    assert (
        ch.sentences[1]
        == "Sammantaget: ingen säkerställd förändring i andelen positiva, andelen negativa eller nettot."
    )


def test_compare_detects_a_big_change():
    c = compare(frame(_round("2024", 5, 5, 20, "ledarskap") + _round("2025", 25, 3, 2, "ledarskap")))
    [ch] = c.changes
    assert ch.share_positive.significant and ch.share_positive.p_value < 0.001
    assert ch.net_score.change == pytest.approx(100 * (23 / 30 - (-15 / 30)))
    assert ch.net_score.significant and ch.net_score.low > 0
    assert "Andelen positiva ökade säkerställt: 17 % → 83 %" in ch.sentences[1]
    assert not any(s.startswith("Sammantaget") for s in ch.sentences)
    assert any(s.startswith("Temat ledarskap nämns oftare") for s in ch.sentences)
    d = c.to_dict()
    assert d["comparisons"][0]["net_score"]["significant"] is True


def test_compare_accounts_for_group_size():
    small = compare(frame(_round("2024", 1, 0, 5) + _round("2025", 5, 0, 1)))
    ch = small.changes[0]
    assert ch.share_positive.test == "fisher_exact"
    assert ch.share_positive.p_value == pytest.approx(0.0801, abs=1e-4)  # Fisher exact, [[1, 5], [5, 1]]
    assert not ch.share_positive.significant
    big = compare(frame(_round("2024", 10, 0, 50) + _round("2025", 50, 0, 10)))  # same shares, ten times the n
    assert big.changes[0].share_positive.significant


def test_compare_order_and_errors():
    df = frame(_round("2024", 6, 0, 0) + _round("2025", 6, 0, 0) + _round("2026", 3, 0, 0))
    c = compare(df, rounds=["2025", "2024"])
    assert [(x.before, x.after) for x in c.changes] == [("2025", "2024")]
    assert compare(df).changes[1].suppressed  # 2026 has 3 respondents
    with pytest.raises(ConfigError, match="2030"):
        compare(df, rounds=["2024", "2030"])
    with pytest.raises(ConfigError):
        compare(df, rounds=["2024"])
    s = summarize(df, include_comparison=True)
    assert [c.after for c in s.comparisons] == ["2025", "2026"]
    assert "comparisons" in s.to_dict()
