"""Temperature scaling of the sentiment head: one number that makes its probabilities honest.

The head is trained with ordinal label smoothing, which by design keeps it from putting all the mass on
one level; its raw confidence therefore need not match how often it is right. Temperature scaling divides
the log-probabilities of the model's final output (head, or head blended with the lexical model) by ``T``
and renormalises (``T > 1`` softens, ``T < 1`` sharpens); for a plain head that is ``softmax(logits / T)``.
``T`` minimises the negative log-likelihood on held-out (validation) comments. It never changes which
level is most probable, only how sure the model says it is. Mixed-comment detection reads the raw head.
"""

from __future__ import annotations

import numpy as np

from stamning.errors import ConfigError
from stamning.model.calibration import calibrate, softmax

__all__ = ["T_MAX", "T_MIN", "calibrate", "fit_temperature", "nll", "softmax"]

T_MIN, T_MAX = 0.05, 20.0


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of ``labels`` under ``softmax(logits / temperature)``."""
    p = softmax(logits, temperature)[np.arange(len(labels)), labels]
    return float(-np.log(np.clip(p, 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray, iterations: int = 60) -> float:
    """The temperature in [0.05, 20] with the lowest NLL (golden-section search on log T).

    The NLL of temperature scaling is unimodal in log T for a fixed set of logits, so the search
    finds its minimum; rounded to 3 decimals so that a stored model reads the same number back."""
    labels = np.asarray(labels, dtype=int)
    if len(labels) == 0 or len(labels) != len(logits):
        raise ConfigError(
            f"temperaturskalningen behöver märkta kommentarer: {len(logits)} logitvärden men {len(labels)} etiketter; ge lika många"
        )
    lo, hi = np.log(T_MIN), np.log(T_MAX)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(logits, labels, np.exp(a)), nll(logits, labels, np.exp(b))
    for _ in range(iterations):
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(logits, labels, np.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(logits, labels, np.exp(b))
    return round(float(np.exp((lo + hi) / 2.0)), 3)
