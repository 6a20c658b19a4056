"""The pieces of a training step that are not the loop: seeding, the validation split, length-bucketed
batches, tokenised inputs on the training device, and the loss."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from stamning.training.labelled import LabelledData

if TYPE_CHECKING:
    from stamning.model.classifier import StamningModel


def seed_everything(seed: int) -> None:
    """Python, numpy and torch (CPU and every CUDA device) seeded alike."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split(data: LabelledData, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation row indices, stratified by sentiment level, seeded."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    val: list[int] = []
    for level in np.unique(data.sentiment):
        idx = np.flatnonzero(data.sentiment == level)
        rng.shuffle(idx)
        k = max(1, int(round(len(idx) * fraction))) if len(idx) > 1 else 0
        val.extend(int(i) for i in idx[:k])
        train.extend(int(i) for i in idx[k:])
    return np.sort(np.array(train, dtype=np.int64)), np.sort(np.array(val, dtype=np.int64))


def ordinal_targets(labels: torch.Tensor, n: int, smoothing: float) -> torch.Tensor:
    """Soft targets that respect the order: ``smoothing`` mass goes to the neighbouring levels."""
    target = torch.zeros(len(labels), n)
    for i, y in enumerate(labels.tolist()):
        neighbours = [j for j in (y - 1, y + 1) if 0 <= j < n]
        target[i, y] = 1.0 - smoothing
        for j in neighbours:
            target[i, j] = smoothing / len(neighbours)
    return target


class Loss(nn.Module):
    """Ordinal-smoothed cross-entropy for sentiment + BCE with per-theme positive weights."""

    pos_weight: torch.Tensor | None

    def __init__(self, themes: np.ndarray | None, smoothing: float):
        super().__init__()
        self.smoothing = smoothing
        if themes is not None and len(themes):
            pos = themes.sum(0)
            weight = np.sqrt((len(themes) - pos) / np.maximum(pos, 1.0))
            self.register_buffer("pos_weight", torch.tensor(np.clip(weight, 1.0, 8.0), dtype=torch.float32))
        else:
            self.pos_weight = None

    def forward(
        self, s_logits: torch.Tensor, t_logits: torch.Tensor, y_sent: torch.Tensor, y_themes: torch.Tensor | None
    ) -> torch.Tensor:
        target = ordinal_targets(y_sent, s_logits.shape[1], self.smoothing).to(s_logits.device)
        loss = -(target * torch.log_softmax(s_logits.float(), -1)).sum(-1).mean()
        if y_themes is not None:
            loss = loss + nn.functional.binary_cross_entropy_with_logits(
                t_logits.float(), y_themes, pos_weight=self.pos_weight
            )
        return loss


def length_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed shuffled batches: similar lengths together, order of batches random."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def token_lengths(model: StamningModel, texts: Sequence[str]) -> list[int]:
    """Tokens per text without special tokens (what the batches are bucketed by)."""
    return [len(x) for x in model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


def encode(model: StamningModel, texts: Sequence[str], device: str | torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``input_ids`` and ``attention_mask`` of ``texts`` (with the model's prefix), padded, on ``device``."""
    enc = model.tokenizer(
        [model.config.input_prefix + t for t in texts],
        padding=True,
        truncation=True,
        max_length=model.config.max_length,
        return_tensors="pt",
    )
    return enc["input_ids"].to(device), enc["attention_mask"].to(device)
