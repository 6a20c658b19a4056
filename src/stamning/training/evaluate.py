"""Evaluate a model on labelled comments: metrics as a dict (JSON) and as a readable table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stamning.training.labelled import THREE_CLASS, LabelledData, load_labelled
from stamning.training.metrics import sentiment_metrics, theme_metrics, three_class_metrics

if TYPE_CHECKING:
    from stamning.model.classifier import StamningModel
    from stamning.records import Prediction


def probabilities(
    model: StamningModel, texts: Sequence[str], batch_size: int = 64, precision: str = "auto"
) -> tuple[np.ndarray, np.ndarray, list[Prediction]]:
    """Sentiment probabilities [n, 5], theme probabilities [n, themes] and the predictions for ``texts``.

    Kept for callers that want the records too; :meth:`StamningModel.predict_proba` gives the arrays alone."""
    preds = model.predict(list(texts), batch_size=batch_size, precision=precision, detect_mixed=False)
    sent = np.array([[p.probabilities[lvl] for lvl in model.config.sentiment_labels] for p in preds])
    themes = np.array([[p.theme_probabilities[k] for k in model.config.theme_keys] for p in preds])
    return sent, themes, preds


def evaluate_data(
    model: StamningModel, data: LabelledData, batch_size: int = 64, precision: str = "auto"
) -> dict[str, Any]:
    """The metrics of ``model`` on ``data`` (see :func:`evaluate`), from :meth:`StamningModel.predict_proba`."""
    sent, themes = model.predict_proba(data.texts, batch_size=batch_size, precision=precision)
    predicted = sent.argmax(1)
    out: dict[str, Any] = {"sentiment": sentiment_metrics(sent, data.sentiment), "left_out": data.left_out()}
    if data.themes is not None:
        keys = model.config.theme_keys
        truth = np.zeros((len(data), len(keys)), dtype=int)
        for j, key in enumerate(data.theme_keys):
            if key in keys:
                truth[:, keys.index(key)] = data.themes[:, j]
        out["themes"] = theme_metrics(themes, truth, keys, np.array(model.config.theme_thresholds))
    errors = np.abs(predicted - data.sentiment) * (1 - sent[np.arange(len(data)), data.sentiment])
    worst = np.argsort(-errors)[:20]
    out["worst"] = [
        {
            "id": data.ids[i],
            "label": model.config.sentiment_labels[data.sentiment[i]],
            "predicted": model.config.sentiment_labels[predicted[i]],
            "confidence": round(float(sent[i, predicted[i]]), 3),
        }
        for i in worst
    ]
    return out


def evaluate_three_class(
    model: StamningModel,
    path: str | Path,
    text_column: str = "text",
    label_column: str = "label",
    batch_size: int = 64,
    precision: str = "auto",
) -> dict:
    """3-class figures (neg/neu/pos) on a real-text set such as ../shared/data/real-dev."""
    import pandas as pd

    frame = pd.read_csv(path)
    frame = frame[frame[label_column].isin(list(THREE_CLASS))]
    labels = np.array([list(THREE_CLASS).index(v) for v in frame[label_column]])
    probs, _ = model.predict_proba(frame[text_column].astype(str).tolist(), batch_size=batch_size, precision=precision)
    return three_class_metrics(probs, labels)


def evaluate(model: StamningModel, data: str | Path, batch_size: int = 64, precision: str = "auto") -> dict[str, Any]:
    """Accuracy, macro-F1, MCC, MAE on the 5 levels, ECE, confusion matrix, per-theme F1."""
    labelled = load_labelled(data, theme_keys=model.config.theme_keys)
    return evaluate_data(model, labelled, batch_size=batch_size, precision=precision)
