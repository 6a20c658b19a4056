"""Temperature scaling: fitted on held-out comments, stored in config.json, applied at prediction."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from stamning.errors import ConfigError, ModelError
from stamning.model.classifier import StamningModel
from stamning.training.calibration import fit_temperature, nll, softmax
from stamning.training.metrics import expected_calibration_error


def _sampled(true_t: float, n: int = 4000, seed: int = 0):
    """Labels drawn from softmax(logits / true_t): the best temperature for these logits is true_t."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, 5))
    p = softmax(logits, true_t)
    labels = np.array([rng.choice(5, p=row) for row in p])
    return logits, labels


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_recovers_the_temperature_that_generated_the_labels(true_t):
    logits, labels = _sampled(true_t)
    t = fit_temperature(logits, labels)
    assert abs(np.log(t) - np.log(true_t)) < 0.12
    assert nll(logits, labels, t) <= nll(logits, labels, 1.0) + 1e-9


def test_calibration_lowers_ece_and_keeps_the_ranking():
    logits, labels = _sampled(2.5)  # the raw logits are overconfident
    t = fit_temperature(logits, labels)
    raw, scaled = softmax(logits), softmax(logits, t)
    assert expected_calibration_error(scaled, labels) < expected_calibration_error(raw, labels) / 2
    assert (raw.argmax(1) == scaled.argmax(1)).all()


def test_needs_labels():
    with pytest.raises(ConfigError, match="märkta kommentarer"):
        fit_temperature(np.zeros((0, 5)), np.zeros(0, dtype=int))


def test_stored_temperature_is_applied_at_prediction(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    texts = ["Väldigt dåligt bemötande.", "Bra stöd från chefen!", "Vi har möte på tisdag."]
    plain = StamningModel.from_pretrained(copy).predict(texts, precision="fp32", detect_mixed=False)
    config = json.loads((copy / "config.json").read_text("utf-8"))
    config["sentiment_temperature"] = 3.0
    (copy / "config.json").write_text(json.dumps(config), "utf-8")
    warm = StamningModel.from_pretrained(copy).predict(texts, precision="fp32", detect_mixed=False)
    for p, q in zip(plain, warm):
        raw = np.log([p.probabilities[k] for k in p.probabilities])
        expected = softmax(raw[None, :], 3.0)[0]  # log-probabilities are the logits up to a constant
        np.testing.assert_allclose([q.probabilities[k] for k in q.probabilities], expected, atol=1e-5)
        assert q.sentiment == p.sentiment and q.confidence < p.confidence


def test_out_of_range_temperature_is_refused(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    config = json.loads((copy / "config.json").read_text("utf-8"))
    config["sentiment_temperature"] = 0.0
    (copy / "config.json").write_text(json.dumps(config), "utf-8")
    with pytest.raises(ModelError, match="sentiment_temperature"):
        StamningModel.from_pretrained(copy)
