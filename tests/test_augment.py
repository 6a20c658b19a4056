"""Label-preserving noise for training comments."""

from __future__ import annotations

import hashlib
import json
import random

import numpy as np
import pytest

from stamning.errors import ConfigError
from stamning.training.augment import (
    EMOJI,
    SOCIAL,
    TOPIC_EMOJI,
    TOPICAL,
    WRITTEN,
    AugmentConfig,
    Noise,
    apply,
    augment,
)

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


def test_social_noises_add_handles_tags_and_links_around_the_words():
    rng = random.Random(1)
    reply = apply(TEXT, "positiv", [Noise.MENTION], rng)
    assert reply.startswith("@") and reply.endswith(TEXT)
    tagged = apply(TEXT, "positiv", [Noise.TAG], rng)
    assert tagged.startswith(TEXT) and tagged.split()[-1].startswith("#")
    lost = apply(TEXT, "negativ", [Noise.LOST_EMOJI], rng)
    assert lost.startswith(TEXT) and lost.endswith("?") and len(lost) <= len(TEXT) + 3
    linked = apply(TEXT, "positiv", [Noise.LINK], rng)
    assert linked.startswith(TEXT) and linked.split()[-1].startswith("http")
    everything = apply(TEXT, "mycket_positiv", list(SOCIAL), random.Random(2))
    words = everything.split()
    assert words[0].startswith("@") and words[-1].startswith("http") and words[-2].startswith("#")
    assert words[-3] in EMOJI["mycket_positiv"]


def test_the_default_noises_and_their_variants_are_unchanged_by_the_social_ones():
    # the default model's build draws these variants: the hash was taken before the social noises existed
    texts = [TEXT, "Informationen kom för sent.", "Toppen!", "Mötena är för långa och ingen lyssnar på oss."]
    variants = augment(texts, np.array([3, 1, 4, 0]), AugmentConfig(copies=3, seed=5))
    digest = hashlib.sha256(json.dumps(variants, ensure_ascii=False).encode()).hexdigest()
    assert digest == "6cbcdf96d6ff05e9238978c3520fb2d23d8260de593afd623dc49de1b8d40304"
    assert AugmentConfig().noises == WRITTEN
    social = augment(texts, np.array([3, 1, 4, 0]), AugmentConfig(copies=3, seed=5, noises=SOCIAL))
    assert any(t.startswith("@") or "#" in t or "http" in t for _, t in social)
    with pytest.raises(ConfigError, match="noises"):
        AugmentConfig(noises=())


def test_topic_emoji_carry_no_opinion_and_reach_neutral_comments_only_when_asked():
    rng = random.Random(4)
    for level in ("mycket_negativ", "neutral", "mycket_positiv"):
        out = apply(TEXT, level, [Noise.TOPIC_EMOJI], rng)
        assert out.startswith(TEXT) and out.split()[-1] in TOPIC_EMOJI
    plain = {apply("Mötet är på tisdag.", "neutral", [Noise.EMOJI], random.Random(i)).split()[-1] for i in range(40)}
    topical = {
        apply("Mötet är på tisdag.", "neutral", [Noise.EMOJI], random.Random(i), topical=True).split()[-1]
        for i in range(40)
    }
    assert plain == set(EMOJI["neutral"]) and topical > plain and topical <= set(EMOJI["neutral"] + TOPIC_EMOJI)
    positive = {apply(TEXT, "positiv", [Noise.EMOJI], random.Random(i), topical=True).split()[-1] for i in range(40)}
    assert positive <= set(EMOJI["positiv"])
    variants = augment(["Mötet är på tisdag."] * 30, np.full(30, 2), AugmentConfig(seed=1, noises=TOPICAL))
    assert any(t.split()[-1] in TOPIC_EMOJI for _, t in variants)
