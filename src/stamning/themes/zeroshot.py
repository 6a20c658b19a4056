"""Custom themes without labels: zero-shot by embedding similarity, few-shot as examples are added.

Each theme is a prototype vector: the embedding of its Swedish description (name, definition,
inclusion note, example phrases). Labelled examples pull the prototype toward the mean embedding of the
comments that carry the theme, and thresholds are calibrated on whatever labels exist."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from stamning.themes.taxonomy import Taxonomy
from stamning.training.metrics import tune_thresholds

ZERO_SHOT_Z = 1.5  # a theme applies when its similarity is this many SDs above the comment's mean over themes
MAX_THEMES = 3


class ThemeMatcher:
    """Match comments to a user's taxonomy with the encoder of a stamning model (or any encoder)."""

    def __init__(self, model, taxonomy: Taxonomy, description_weight: float = 1.0, batch_size: int = 32):
        self.model = model
        self.taxonomy = taxonomy
        self.keys = taxonomy.keys
        self.batch_size = batch_size
        self.description_weight = description_weight
        self.descriptions = self.embed([t.description() for t in taxonomy.themes])
        self.prototypes = self.descriptions.copy()
        self.thresholds: np.ndarray | None = None
        self.n_examples = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised mean-pooled embeddings (the model's input prefix applied)."""
        tok, cfg = self.model.tokenizer, self.model.config
        out = np.zeros((len(texts), self.model.encoder.config.hidden_size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        self.model.eval()
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                enc = tok(
                    [cfg.input_prefix + texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=cfg.max_length,
                    return_tensors="pt",
                )
                out[idx] = self.model.embed(enc["input_ids"], enc["attention_mask"]).float().numpy()
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _scores(self, emb: np.ndarray) -> np.ndarray:
        """Similarity to each prototype, standardised per comment (z-scores across themes)."""
        sims = emb @ (self.prototypes / np.linalg.norm(self.prototypes, axis=1, keepdims=True)).T
        return (sims - sims.mean(1, keepdims=True)) / np.maximum(sims.std(1, keepdims=True), 1e-6)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """A score in (0, 1) per theme: a logistic of the z-score, centred on the zero-shot cut."""
        return 1.0 / (1.0 + np.exp(-(self._scores(self.embed(texts)) - ZERO_SHOT_Z) * 2.0))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        proba = self.predict_proba(texts)
        cut = self.thresholds if self.thresholds is not None else np.full(len(self.keys), 0.5)
        out = []
        for row in proba:
            chosen = [j for j in np.argsort(-row) if row[j] >= cut[j]][:MAX_THEMES]
            out.append(tuple(self.keys[j] for j in sorted(chosen)))
        return out

    def fit(self, texts: Sequence[str], themes: Sequence[Sequence[str]]) -> ThemeMatcher:
        """Few-shot: move each prototype toward its examples and calibrate thresholds on them."""
        unknown = sorted({k for ts in themes for k in ts} - set(self.keys))
        if unknown:
            raise ValueError(f"unknown theme keys in the examples: {', '.join(unknown)}")
        emb = self.embed(list(texts))
        truth = np.array([[k in ts for k in self.keys] for ts in themes], dtype=int)
        for j in range(len(self.keys)):
            pos = emb[truth[:, j] == 1]
            if len(pos):
                proto = self.description_weight * self.descriptions[j] + pos.sum(0)
                self.prototypes[j] = proto / np.linalg.norm(proto)
        self.n_examples = len(texts)
        proba = 1.0 / (1.0 + np.exp(-(self._scores(emb) - ZERO_SHOT_Z) * 2.0))
        self.thresholds = tune_thresholds(proba, truth, min_support=2, default=0.5)
        return self
