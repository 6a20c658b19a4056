"""Custom themes without labels: zero-shot by embedding similarity, few-shot as examples are added.

Each theme is a handful of prototype vectors: the embeddings of its name, its definition, "name: definition",
each item of the definition's list ("Sophämtning, sopkärl och sortering" → three items), its inclusion note
and its example phrases. A comment's similarity to a theme is its highest similarity to one of them.
Similarities are standardised per comment against the themes *and* a fixed built-in background of neutral
texts (:data:`NEUTRAL_ANCHORS`), so a theme's score means "this many SDs above what any comment scores
against unrelated descriptions"; that works for a taxonomy of two themes as well as of thirty. Labelled
examples pull the prototypes toward the comments that carry the theme, and thresholds are calibrated on
whatever labels exist. Why these choices: benchmarks/README.md ("Own themes without labels")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
import torch

from stamning.errors import ConfigError
from stamning.model.thresholds import tune_thresholds
from stamning.themes.taxonomy import Taxonomy, Theme

ZERO_SHOT_Z = 2.0  # a theme applies when its similarity is this many SDs above the comment's background
MAX_THEMES = 3
STEEPNESS = 2.0  # slope of the logistic that turns a z-score into a score in (0, 1)

# A fixed background: content-free answers and everyday topics far from any survey's themes, written once
# before any evaluation (validation chose both lists together over either alone). A user theme that
# happens to resemble one of them moves the background mean by one item in 36.
NEUTRAL_ANCHORS = (
    "Inget att tillägga.",
    "Vet inte.",
    "Inga synpunkter.",
    "Det är bra.",
    "Det är dåligt.",
    "Okej.",
    "Allt fungerar som det ska.",
    "Jag är nöjd.",
    "Jag är missnöjd.",
    "Tack!",
    "Ingen kommentar.",
    "Det kunde vara bättre.",
    "Bra jobbat.",
    "Har inget speciellt att säga.",
    "Svårt att säga.",
    "Fortsätt så.",
    "Väder och klimat",
    "Mat och dryck",
    "Sport",
    "Musik",
    "Film och tv",
    "Politik",
    "Hälsa och sjukvård",
    "Teknik",
    "Natur och djur",
    "Familj och vänner",
    "Shopping",
    "Trafik",
    "Boende",
    "Kultur",
    "Semester",
    "Nyheter",
    "Kläder och mode",
    "Religion",
    "Spel",
    "Bilar",
)


class Prototypes(Enum):
    """What a theme is matched against."""

    SINGLE = "single"  # one text: "name: definition", inclusion note and examples joined (before 2026-12)
    PARTS = "parts"  # name, definition, both, each item of the definition, inclusion note, each example


class Background(Enum):
    """What a comment's similarities are standardised against."""

    THEMES = "themes"  # the other themes only (before 2026-12; max z is √(k−1): nothing passes 2.0 with k ≤ 5)
    ANCHORS = "anchors"  # the themes and the built-in neutral background


@dataclass(frozen=True)
class MatcherConfig:
    """How the matcher describes themes and decides; the defaults are what validation chose."""

    prototypes: Prototypes = Prototypes.PARTS
    background: Background = Background.ANCHORS
    cut: float = ZERO_SHOT_Z
    max_themes: int = MAX_THEMES

    def __post_init__(self) -> None:
        if not isinstance(self.prototypes, Prototypes) or not isinstance(self.background, Background):
            raise ConfigError("prototypes och background ska vara Prototypes och Background; använd enum-värdena")
        if not 0.0 <= self.cut <= 10.0:
            raise ConfigError(f"cut ska ligga i 0..10 (standardavvikelser), inte {self.cut}; välj t.ex. 2.0")
        if self.max_themes < 1:
            raise ConfigError(f"max_themes ska vara minst 1, inte {self.max_themes}")


def definition_items(definition: str) -> list[str]:
    """The items of a definition written as a list: commas, and the last item's first och/eller/samt.

    "Sophämtning, sopkärl och sortering av avfall." → ["Sophämtning", "sopkärl", "sortering av avfall"];
    a sentence without a comma is one item (its "och" may join two halves of one idea)."""
    items: list[str] = []
    for sentence in re.split(r"(?<=[.!?;])\s+", definition.strip()):
        parts = [p.strip() for p in sentence.strip().rstrip(".!?;").split(",") if p.strip()]
        if len(parts) > 1:
            parts[-1:] = [p.strip() for p in re.split(r"\s+(?:och|eller|samt)\s+", parts[-1], maxsplit=1)]
        items += [p for p in parts if len(p) > 1]
    return items


def prototype_texts(theme: Theme, kind: Prototypes) -> list[str]:
    """The texts a theme's prototypes are embedded from, without duplicates."""
    if kind is Prototypes.SINGLE:
        return [theme.description()]
    texts = [theme.name, theme.definition, f"{theme.name}: {theme.definition}", *definition_items(theme.definition)]
    texts += [theme.include] if theme.include else []
    return list(dict.fromkeys([*texts, *theme.examples]))


class ThemeMatcher:
    """Match comments to a user's taxonomy with the encoder of a stamning model (or any encoder)."""

    def __init__(
        self,
        model,
        taxonomy: Taxonomy,
        description_weight: float = 1.0,
        batch_size: int = 32,
        config: MatcherConfig | None = None,
    ):
        self.model = model
        self.taxonomy = taxonomy
        self.keys = taxonomy.keys
        self.batch_size = batch_size
        self.description_weight = description_weight
        self.config = config or MatcherConfig()
        texts = [prototype_texts(t, self.config.prototypes) for t in taxonomy.themes]
        self.owner = np.repeat(np.arange(len(texts)), [len(t) for t in texts])
        self.starts = np.concatenate([[0], np.cumsum([len(t) for t in texts])[:-1]]).astype(int)
        self.descriptions = self.embed([x for t in texts for x in t])
        self.prototypes = self.descriptions.copy()
        anchored = self.config.background is Background.ANCHORS
        self.anchors = self.embed(list(NEUTRAL_ANCHORS)) if anchored else np.zeros((0, self.prototypes.shape[1]))
        self.thresholds: np.ndarray | None = None
        self.n_examples = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised mean-pooled embeddings (the model's input prefix applied), in input order."""
        tok, cfg = self.model.tokenizer, self.model.config
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        parts: list[np.ndarray] = []
        self.model.eval()
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                enc = tok(
                    [cfg.input_prefix + texts[i] for i in order[start : start + self.batch_size]],
                    padding=True,
                    truncation=True,
                    max_length=cfg.max_length,
                    return_tensors="pt",
                )
                parts.append(self.model.embed(enc["input_ids"], enc["attention_mask"]).float().numpy())
        if not parts:
            return np.zeros((0, 0), dtype=np.float32)
        out = np.empty_like(np.concatenate(parts))
        out[order] = np.concatenate(parts)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def similarities(self, emb: np.ndarray) -> np.ndarray:
        """Cosine similarity of each comment to each theme: the best of the theme's prototypes."""
        protos = self.prototypes / np.linalg.norm(self.prototypes, axis=1, keepdims=True)
        return np.maximum.reduceat(emb @ protos.T, self.starts, axis=1)

    def scores(self, emb: np.ndarray) -> np.ndarray:
        """Similarities standardised per comment over the themes (and the neutral background, if used)."""
        sims = self.similarities(emb)
        pool = np.concatenate([sims, emb @ self.anchors.T], axis=1)
        return (sims - pool.mean(1, keepdims=True)) / np.maximum(pool.std(1, keepdims=True), 1e-6)

    def proba_from_embeddings(self, emb: np.ndarray) -> np.ndarray:
        """A score in (0, 1) per theme: a logistic of the z-score, centred on the zero-shot cut."""
        return 1.0 / (1.0 + np.exp(-(self.scores(emb) - self.config.cut) * STEEPNESS))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.proba_from_embeddings(self.embed(texts))

    def choose(self, proba: np.ndarray) -> list[tuple[str, ...]]:
        """The themes at or above their threshold, at most ``max_themes`` of the highest, in taxonomy order."""
        cut = self.thresholds if self.thresholds is not None else np.full(len(self.keys), 0.5)
        out = []
        for row in proba:
            chosen = [j for j in np.argsort(-row, kind="stable") if row[j] >= cut[j]][: self.config.max_themes]
            out.append(tuple(self.keys[j] for j in sorted(chosen)))
        return out

    def predict(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        return self.choose(self.predict_proba(texts))

    def fit(self, texts: Sequence[str], themes: Sequence[Sequence[str]]) -> ThemeMatcher:
        """Few-shot: move each of a theme's prototypes toward its examples and calibrate thresholds on them."""
        unknown = sorted({k for ts in themes for k in ts} - set(self.keys))
        if unknown:
            raise ValueError(f"unknown theme keys in the examples: {', '.join(unknown)}")
        emb = self.embed(list(texts))
        truth = np.array([[k in ts for k in self.keys] for ts in themes], dtype=int)
        for j in range(len(self.keys)):
            pos = emb[truth[:, j] == 1]
            if len(pos):
                rows = self.owner == j
                moved = self.description_weight * self.descriptions[rows] + pos.sum(0)
                self.prototypes[rows] = moved / np.linalg.norm(moved, axis=1, keepdims=True)
        self.n_examples = len(texts)
        self.thresholds = tune_thresholds(self.proba_from_embeddings(emb), truth, min_support=2, default=0.5)
        return self
