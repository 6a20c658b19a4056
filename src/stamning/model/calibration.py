"""Temperature applied at prediction time: the model's probabilities made honest by one fitted number.

Fitting the temperature is training's job (:mod:`stamning.training.calibration`); applying it is here, so that
inference does not depend on training.
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature`` in float64."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def calibrate(probs: np.ndarray, temperature: float) -> np.ndarray:
    """``probs`` (one row or many) with temperature ``temperature`` applied: ``p ** (1 / T)``, renormalised."""
    if temperature == 1.0:
        return probs
    logp = np.log(np.clip(probs, 1e-12, None)) / temperature
    logp = logp - logp.max(-1, keepdims=True)
    e = np.exp(logp)
    return (e / e.sum(-1, keepdims=True)).astype(probs.dtype)
