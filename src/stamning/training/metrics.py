"""Metrics for the 5-level sentiment and the multi-label themes (scikit-learn underneath)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, matthews_corrcoef

from stamning.records import SENTIMENT_LEVELS

THREE = np.array([0, 0, 1, 2, 2])  # 5 levels -> neg/neu/pos


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class confidence, equal-width bins."""
    conf = probs.max(1)
    correct = probs.argmax(1) == labels
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(ece)


def sentiment_metrics(probs: np.ndarray, labels: np.ndarray) -> dict:
    pred = probs.argmax(1)
    return {
        "n": int(len(labels)),
        "accuracy": float(accuracy_score(labels, pred)),
        "macro_f1": float(f1_score(labels, pred, average="macro", labels=range(5), zero_division=0)),
        "mcc": float(matthews_corrcoef(labels, pred)),
        "mae": float(np.abs(pred - labels).mean()),
        "ece": expected_calibration_error(probs, labels),
        "within_one": float((np.abs(pred - labels) <= 1).mean()),
        "confusion_matrix": confusion_matrix(labels, pred, labels=range(5)).tolist(),
        "labels": list(SENTIMENT_LEVELS),
        "three_class": three_class_metrics(probs, THREE[labels]),
    }


def three_class_metrics(probs: np.ndarray, labels3: np.ndarray) -> dict:
    """neg/neu/pos accuracy and macro-F1 from 5-level probabilities (summed per side)."""
    p3 = np.stack([probs[:, :2].sum(1), probs[:, 2], probs[:, 3:].sum(1)], 1)
    pred = p3.argmax(1)
    return {
        "n": int(len(labels3)),
        "accuracy": float(accuracy_score(labels3, pred)),
        "macro_f1": float(f1_score(labels3, pred, average="macro", labels=range(3), zero_division=0)),
        "confusion_matrix": confusion_matrix(labels3, pred, labels=range(3)).tolist(),
        "labels": ["neg", "neu", "pos"],
    }


def theme_metrics(probs: np.ndarray, truth: np.ndarray, keys: list[str], thresholds: np.ndarray) -> dict:
    pred = (probs >= thresholds).astype(int)
    per = {}
    for j, key in enumerate(keys):
        per[key] = {
            "f1": float(f1_score(truth[:, j], pred[:, j], zero_division=0)),
            "support": int(truth[:, j].sum()),
            "predicted": int(pred[:, j].sum()),
        }
    supported = [v["f1"] for v in per.values() if v["support"] > 0]
    return {
        "micro_f1": float(f1_score(truth, pred, average="micro", zero_division=0)),
        "macro_f1": float(np.mean(supported)) if supported else 0.0,
        "per_theme": per,
    }
