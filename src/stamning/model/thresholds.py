"""Per-theme decision thresholds: the cut on each theme's probability that maximises F1 on labelled data.

Used where a model is fitted (the trainer's validation pass) and where own themes are calibrated on a user's
examples (:meth:`stamning.themes.zeroshot.ThemeMatcher.fit`).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score


def tune_thresholds(probs: np.ndarray, truth: np.ndarray, min_support: int = 3, default: float = 0.5) -> np.ndarray:
    """Per-theme threshold that maximises F1 on the given (validation) data; ``default`` with too few positives."""
    grid = np.round(np.arange(0.1, 0.91, 0.05), 2)
    out = np.full(probs.shape[1], default, dtype=np.float64)
    for j in range(probs.shape[1]):
        if truth[:, j].sum() < min_support:
            continue
        scores = [f1_score(truth[:, j], probs[:, j] >= t, zero_division=0) for t in grid]
        best = max(scores)
        # among equally good thresholds take the middle one (less sensitive to noise)
        ties = [t for t, s in zip(grid, scores) if s >= best - 1e-9]
        out[j] = float(ties[len(ties) // 2])
    return out
