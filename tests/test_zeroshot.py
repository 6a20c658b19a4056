"""Custom themes: zero-shot matching works without labels and gets better with a few examples."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

from stamning.themes.taxonomy import parse_taxonomy
from stamning.themes.zeroshot import ThemeMatcher

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
