"""Label-preserving noise for training comments."""

from __future__ import annotations

import random

import numpy as np
import pytest

from stamning.errors import ConfigError
from stamning.training.augment import EMOJI, AugmentConfig, Noise, apply, augment

TEXT = "Chefen är väldigt lyhörd, och samarbetet fungerar bättre än förra året."


def test_each_noise_does_what_it_says():
    rng = random.Random(0)
    assert apply(TEXT, "positiv", [Noise.LOWER], rng) == TEXT.lower()
    assert (
        apply(TEXT, "positiv", [Noise.ASCII], rng)
        == "Chefen ar valdigt lyhord, och samarbetet fungerar battre an forra aret."
    )
    assert (
        apply(TEXT, "positiv", [Noise.NO_PUNCT], rng)
        == "Chefen är väldigt lyhörd och samarbetet fungerar bättre än förra året"
    )
    with_emoji = apply(TEXT, "mycket_negativ", [Noise.EMOJI], rng)
    assert with_emoji.startswith(TEXT) and with_emoji.split()[-1] in EMOJI["mycket_negativ"]


def test_typos_change_letters_but_keep_the_words_recognisable():
    out = apply(TEXT, "positiv", [Noise.TYPOS], random.Random(3), typo_rate=0.5)
    assert out != TEXT
    assert len(out.split()) == len(TEXT.split())
    assert sum(a != b for a, b in zip(out.split(), TEXT.split())) <= len(TEXT.split()) // 2 + 1


def test_augment_is_seeded_and_points_back_to_its_source():
    texts = [TEXT, "Informationen kom för sent.", "Toppen!"]
    levels = np.array([3, 1, 4])
    first = augment(texts, levels, AugmentConfig(copies=2, seed=7))
    assert first == augment(texts, levels, AugmentConfig(copies=2, seed=7))
    assert first != augment(texts, levels, AugmentConfig(copies=2, seed=8))
    assert all(0 <= i < len(texts) and t != texts[i] for i, t in first)
    assert len(first) >= 4


def test_bad_settings_are_refused():
    with pytest.raises(ConfigError, match="copies"):
        AugmentConfig(copies=-1)
    with pytest.raises(ConfigError, match="rate"):
        AugmentConfig(rate=0.0)
    with pytest.raises(ConfigError, match="sentimentnivå"):
        apply(TEXT, "jättebra", [Noise.EMOJI], random.Random(0))
