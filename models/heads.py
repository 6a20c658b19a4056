"""Both heads of a trained model refitted on its fixed encoder's embeddings (used by refit_sentiment.py
--themes and by candidates.py, so that the measured candidates and the built model share one code path).

Sentiment: a linear head, ordinal-smoothed cross-entropy (stamning.training.refit.fit_head), warm-started
from ``init`` and trained for a fixed number of epochs; the temperature is fitted on the validation part.
Themes: a linear head (binary cross-entropy, per-theme positive weights as in training), the epoch with
the best validation micro-F1 kept; blended with a lexical n-gram model fitted on the training comments;
per-theme thresholds tuned on the validation part. Validation comments are only used for these choices.
"""

from __future__ import annotations

import numpy as np
import torch

from stamning.model.thresholds import tune_thresholds
from stamning.training.calibration import fit_temperature, softmax
from stamning.training.metrics import theme_metrics
from stamning.training.refit import RefitConfig, fit_head, head_logits


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def fit_sentiment(init: torch.nn.Linear, emb, levels, val_emb, val_levels, epochs: int, lr: float, seed: int):
    """(weight, bias, temperature, report): last of ``epochs`` epochs; temperature on the validation part."""
    config = RefitConfig(epochs=epochs, learning_rate=lr, keep_best_epoch=False, seed=seed)
    weight, bias, report = fit_head(init, emb, levels, val_emb, val_levels, config)
    logits = head_logits(weight, bias, val_emb)
    temperature = fit_temperature(np.log(np.clip(softmax(logits), 1e-12, None)), val_levels)
    return weight, bias, temperature, report | {"temperature": temperature}


def fit_themes(
    init: torch.nn.Linear,
    emb: np.ndarray,
    themes: np.ndarray,
    val_emb: np.ndarray,
    val_themes: np.ndarray,
    val_lexical: np.ndarray | None,
    lexical_weight: float,
    epochs: int = 30,
    lr: float = 2e-3,
    seed: int = 13,
):
    """(weight, bias, thresholds, report) of a theme head on fixed embeddings."""
    torch.manual_seed(seed)
    head = torch.nn.Linear(init.in_features, init.out_features)
    head.load_state_dict(init.state_dict())
    x, y = torch.from_numpy(np.ascontiguousarray(emb, np.float32)), torch.from_numpy(themes.astype(np.float32))
    pos = themes.sum(0)
    pos_weight = torch.tensor(
        np.clip(np.sqrt((len(themes) - pos) / np.maximum(pos, 1.0)), 1.0, 8.0), dtype=torch.float32
    )
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=0.01)
    rng = np.random.default_rng(seed)

    def blended() -> np.ndarray:
        probs = sigmoid(head_logits(head.weight, head.bias, val_emb))
        return probs if val_lexical is None else lexical_weight * val_lexical + (1 - lexical_weight) * probs

    def score() -> float:
        return theme_metrics(blended(), val_themes, [str(j) for j in range(y.shape[1])], np.full(y.shape[1], 0.5))[
            "micro_f1"
        ]

    best = (score(), 0, head.weight.detach().clone(), head.bias.detach().clone())
    for epoch in range(1, epochs + 1):
        for batch in np.array_split(rng.permutation(len(y)), max(1, len(y) // 64)):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(head(x[batch]), y[batch], pos_weight=pos_weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        now = score()
        if now > best[0] + 1e-6:
            best = (now, epoch, head.weight.detach().clone(), head.bias.detach().clone())
    with torch.no_grad():
        head.weight.copy_(best[2])
        head.bias.copy_(best[3])
    probs = blended()
    thresholds = tune_thresholds(probs, val_themes).round(2)
    keys = [str(j) for j in range(y.shape[1])]
    report = {
        "best_epoch": best[1],
        "validation_micro_f1_at_0.5": best[0],
        "validation_micro_f1": theme_metrics(probs, val_themes, keys, thresholds)["micro_f1"],
    }
    return best[2], best[3], thresholds.tolist(), report
