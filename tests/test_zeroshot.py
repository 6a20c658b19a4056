"""Custom themes: zero-shot matching works without labels and gets better with a few examples."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from stamning.errors import ConfigError
from stamning.themes.taxonomy import parse_taxonomy
from stamning.themes.zeroshot import (
    NEUTRAL_ANCHORS,
    Background,
    MatcherConfig,
    Prototypes,
    ThemeMatcher,
    definition_items,
    prototype_texts,
)

TAXONOMY = parse_taxonomy(
    {
        "theme": [
            {
                "key": "lokaler",
                "name": "Lokaler",
                "definition": "Lokaler, ventilation och buller.",
                "examples": ["Lokalerna är trånga."],
            },
            {"key": "lon", "name": "Lön", "definition": "Lön och löneutveckling.", "examples": ["Lönen är för låg."]},
            {
                "key": "fika",
                "name": "Fika",
                "definition": "Fika, kaffe och kakor på jobbet.",
                "examples": ["Bra fika på fredagar."],
            },
        ]
    },
    "test",
)

EXAMPLES = [
    ("Lokalerna är trånga och bullriga.", ["lokaler"]),
    ("Ventilationen fungerar inte i lokalerna.", ["lokaler"]),
    ("Lönen är för låg för ansvaret.", ["lon"]),
    ("Ingen löneutveckling på tre år.", ["lon"]),
    ("Kaffet är slut igen, ingen fika.", ["fika"]),
    ("Fika med kakor varje fredag!", ["fika"]),
]


def _f1(matcher, texts, truth):
    pred = matcher.predict(texts)
    keys = matcher.keys
    y = np.array([[k in t for k in keys] for t in truth])
    p = np.array([[k in t for k in keys] for t in pred])
    return f1_score(y, p, average="micro", zero_division=0)


def test_zero_shot_gives_themes_from_the_taxonomy(tiny_model):
    matcher = ThemeMatcher(tiny_model, TAXONOMY)
    proba = matcher.predict_proba(["Lönen är för låg."])
    assert proba.shape == (1, 3) and ((proba > 0) & (proba < 1)).all()
    assert all(set(t) <= {"lokaler", "lon", "fika"} for t in matcher.predict(["Lönen är för låg.", "Hej"]))


def test_few_shot_improves_over_zero_shot(tiny_model):
    texts, truth = [t for t, _ in EXAMPLES], [k for _, k in EXAMPLES]
    matcher = ThemeMatcher(tiny_model, TAXONOMY)
    before = _f1(matcher, texts, truth)
    matcher.fit(texts, truth)
    after = _f1(matcher, texts, truth)
    assert after > before or after == 1.0
    assert matcher.thresholds is not None and matcher.n_examples == 6


# ---------------------------------------------------------------- the zero-shot design (issue 17)


def test_definition_items_split_a_list_but_not_a_sentence():
    assert definition_items("Sophämtning, sopkärl och sortering av avfall.") == [
        "Sophämtning",
        "sopkärl",
        "sortering av avfall",
    ]
    assert definition_items("Bibliotek, simhallar och kultur- och fritidsaktiviteter.") == [
        "Bibliotek",
        "simhallar",
        "kultur- och fritidsaktiviteter",
    ]
    assert definition_items("Hur nya medarbetare tas emot och introduceras.") == [
        "Hur nya medarbetare tas emot och introduceras"
    ]
    assert definition_items("Lön, lönesamtal. Förmåner och pension.") == ["Lön", "lönesamtal", "Förmåner och pension"]


def test_prototype_texts_per_design():
    theme = TAXONOMY.by_key["lokaler"]
    assert prototype_texts(theme, Prototypes.SINGLE) == [theme.description()]
    parts = prototype_texts(theme, Prototypes.PARTS)
    assert parts[:3] == ["Lokaler", "Lokaler, ventilation och buller.", "Lokaler: Lokaler, ventilation och buller."]
    assert {"ventilation", "buller", "Lokalerna är trånga."} <= set(parts)
    assert len(parts) == len(set(parts))  # "Lokaler" as name and as item: embedded once


def test_a_theme_scores_its_best_prototype(tiny_model):
    """Several prototypes, max: a comment worded like one example matches that theme fully."""
    parts = ThemeMatcher(tiny_model, TAXONOMY)
    single = ThemeMatcher(tiny_model, TAXONOMY, config=MatcherConfig(Prototypes.SINGLE))
    sims = parts.similarities(parts.embed(["Bra fika på fredagar."]))
    assert sims.shape == (1, 3) and sims[0, 2] == pytest.approx(1.0, abs=1e-5)
    assert single.similarities(single.embed(["Bra fika på fredagar."]))[0, 2] < 0.999
    assert len(parts.prototypes) > len(single.prototypes) == 3


def test_standardising_over_themes_alone_cannot_pass_the_cut_with_few_themes(tiny_model):
    """Per-comment z over k themes is at most √(k−1) (1 for two themes); the neutral background lifts that
    ceiling, so a comment worded like a theme's example gets the theme."""
    two = parse_taxonomy({"theme": [t for t in TAXONOMY.to_dict()["theme"] if t["key"] != "lokaler"]}, "test")
    texts = ["Bra fika på fredagar.", "Lönen är för låg."]
    themes_only = ThemeMatcher(
        tiny_model, two, config=MatcherConfig(background=Background.THEMES, cut=1.2, max_themes=1)
    )
    assert np.abs(themes_only.scores(themes_only.embed(texts))).max() <= 1.0 + 1e-6
    assert themes_only.predict(texts) == [(), ()]
    anchored = ThemeMatcher(tiny_model, two, config=MatcherConfig(cut=1.2, max_themes=1))
    assert len(anchored.anchors) == len(NEUTRAL_ANCHORS)
    assert anchored.scores(anchored.embed(texts)).max() > 1.2
    assert anchored.predict(texts) == [("fika",), ("lon",)]


def test_max_themes_caps_the_themes_per_comment(tiny_model):
    texts = [t for t, _ in EXAMPLES]
    many = ThemeMatcher(tiny_model, TAXONOMY, config=MatcherConfig(cut=0.0, max_themes=3)).predict(texts)
    one = ThemeMatcher(tiny_model, TAXONOMY, config=MatcherConfig(cut=0.0, max_themes=1)).predict(texts)
    assert max(len(c) for c in many) > 1
    assert all(len(c) == 1 for c in one)
    assert all(set(a) <= set(b) for a, b in zip(one, many))


def test_predictions_do_not_depend_on_input_order(tiny_model):
    matcher = ThemeMatcher(tiny_model, TAXONOMY)
    texts = [t for t, _ in EXAMPLES] + ["Hej", "Inget att tillägga om något alls här."]
    forward, backward = matcher.predict_proba(texts), matcher.predict_proba(texts[::-1])
    np.testing.assert_allclose(forward, backward[::-1], atol=1e-6)


def test_fit_moves_every_prototype_of_a_theme_with_examples_only(tiny_model):
    matcher = ThemeMatcher(tiny_model, TAXONOMY)
    matcher.fit(["Lönen är för låg för ansvaret.", "Ingen löneutveckling på tre år."], [["lon"], ["lon"]])
    moved = ~np.isclose(matcher.prototypes, matcher.descriptions).all(1)
    assert moved[matcher.owner == 1].all() and not moved[matcher.owner != 1].any()


@pytest.mark.parametrize("kwargs", [{"cut": -1.0}, {"max_themes": 0}, {"prototypes": "parts"}])
def test_matcher_config_refuses_bad_values(kwargs):
    with pytest.raises(ConfigError):
        MatcherConfig(**kwargs)
