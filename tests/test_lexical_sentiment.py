"""The lexical sentiment model, its blend with the head, and the sentiment refit on a fixed encoder."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from conftest import labelled_rows
from stamning.errors import ModelError
from stamning.model.classifier import StamningModel
from stamning.model.lexical_sentiment import LexicalSentiment, blend, choose_weight
from stamning.records import SENTIMENT_LEVELS
from stamning.training.labelled import load_labelled

ROWS = labelled_rows()
TEXTS = [r["text"] for r in ROWS]
LEVELS = np.array([SENTIMENT_LEVELS.index(r["sentiment"]) for r in ROWS])


def test_fits_the_words_of_each_level_and_reloads_identically(tmp_path):
    lex = LexicalSentiment.fit(TEXTS, LEVELS, c=20.0, min_df=1)
    probs = lex.predict_proba(TEXTS)
    assert probs.shape == (len(TEXTS), 5)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (probs.argmax(1) == LEVELS).mean() >= 0.9
    lex.save(tmp_path)
    np.testing.assert_array_equal(LexicalSentiment.load(tmp_path).predict_proba(TEXTS), probs)


def test_needs_all_five_levels():
    with pytest.raises(ModelError, match="alla fem nivåerna"):
        LexicalSentiment.fit(TEXTS[:8], LEVELS[:8], min_df=1)


def test_weight_is_chosen_on_validation_and_zero_when_the_lexical_part_does_not_help():
    truth = np.array([0, 1, 2, 3, 4] * 4)
    head = np.eye(5)[truth] * 0.6 + 0.08  # the head is right everywhere
    wrong = np.eye(5)[(truth + 2) % 5]
    assert choose_weight(head, wrong, truth) == 0.0
    weak = np.eye(5)[np.array([0, 0, 2, 2, 4] * 4)] * 0.4 + 0.12  # the head confuses neighbours ...
    assert choose_weight(weak, np.eye(5)[truth], truth) > 0.0  # ... and the lexical part fixes that
    np.testing.assert_allclose(blend(head, wrong, 0.25).sum(1), 1.0)


def test_refit_sets_temperature_and_blend_and_the_saved_model_uses_them(tiny_model_dir, labelled_file, tmp_path):
    from stamning.training.augment import AugmentConfig
    from stamning.training.refit import RefitConfig, refit_sentiment

    model = StamningModel.from_pretrained(tiny_model_dir)
    data = load_labelled(labelled_file, theme_keys=model.config.theme_keys)
    report = refit_sentiment(
        model,
        data,
        data,
        config=RefitConfig(epochs=5, augment=AugmentConfig(copies=1, seed=1), lexical=True),
    )
    assert report["training_rows"] > len(data)  # noisy variants were added
    assert report["validation_macro_f1"] >= report["validation_macro_f1_before"]
    assert model.config.sentiment_temperature == report["temperature"] and 0.05 <= report["temperature"] <= 20
    out = model.save_pretrained(tmp_path / "m")
    config = json.loads((out / "config.json").read_text("utf-8"))
    assert config["sentiment_temperature"] == report["temperature"]
    again = StamningModel.from_pretrained(out)
    texts = ["Väldigt dåligt bemötande.", "Bra stöd från chefen!"]
    ours, theirs = model.predict(texts, precision="fp32"), again.predict(texts, precision="fp32")
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(list(a.probabilities.values()), list(b.probabilities.values()), atol=1e-5)
    if config["lexical_sentiment_weight"] > 0:
        assert "lexical_sentiment.json" in config["weights_sha256"] and again.lexical_sentiment is not None


def test_lexical_sentiment_blend_is_applied_at_prediction(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    model = StamningModel.from_pretrained(copy)
    texts = ["Väldigt dåligt bemötande.", "Vi har möte på tisdagar."]
    head = model.predict(texts, precision="fp32")
    model.lexical_sentiment = LexicalSentiment.fit(TEXTS, LEVELS, min_df=1)
    model.config.lexical_sentiment_weight = 0.3
    lexical = model.lexical_sentiment.predict_proba(texts)
    blended = model.predict(texts, precision="fp32")
    for h, b, lex in zip(head, blended, lexical):
        expected = 0.3 * lex + 0.7 * np.array(list(h.probabilities.values()))
        np.testing.assert_allclose(list(b.probabilities.values()), expected, atol=1e-6)
