"""Lexical sentiment: the five levels from word and character n-grams (one multinomial logistic model).

The same feature space as the lexical theme model (:class:`stamning.model.lexical_themes.NgramFeatures`). Blended
with the sentiment head (``ModelConfig.lexical_sentiment_weight``: that share of the lexical
probabilities plus the rest of the head's), with the weight chosen on the validation split. Fitted with
scikit-learn, predicted with numpy only; stored as ``lexical_sentiment.safetensors`` and
``lexical_sentiment.json`` (no pickle).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stamning.errors import ModelError
from stamning.model.lexical_themes import NgramFeatures

WEIGHTS_FILE = "lexical_sentiment.safetensors"
VOCAB_FILE = "lexical_sentiment.json"
LEVELS = 5


class LexicalSentiment:
    """``fit`` on texts and level indices 0..4; ``predict_proba`` gives [texts, 5] probabilities."""

    def __init__(self, space: NgramFeatures, coef: np.ndarray, intercept: np.ndarray):
        self.space = space
        self.coef, self.intercept = coef.astype(np.float32), intercept.astype(np.float32)
        if self.coef.shape != (LEVELS, space.size) or self.intercept.shape != (LEVELS,):
            raise ModelError(
                f"de lexikala sentimentvikterna {self.coef.shape} passar inte en vokabulär med {space.size} "
                "n-gram och 5 nivåer; filerna hör inte ihop – bygg om modellmappen eller ge --model en komplett modellmapp"
            )

    @classmethod
    def fit(
        cls, texts: Sequence[str], levels: np.ndarray, c: float = 4.0, min_df: int = 2, seed: int = 0
    ) -> LexicalSentiment:
        from sklearn.linear_model import LogisticRegression

        levels = np.asarray(levels, dtype=int)
        if set(levels.tolist()) != set(range(LEVELS)):
            raise ModelError(
                f"den lexikala sentimentmodellen behöver kommentarer på alla fem nivåerna, men fick bara nivåerna {sorted(set(levels.tolist()))}; lägg till märkta kommentarer för de saknade nivåerna"
            )
        space = NgramFeatures.fit(texts, min_df)
        lr = LogisticRegression(C=c, max_iter=3000, random_state=seed).fit(space.matrix(texts), levels)
        coef = np.ascontiguousarray(lr.coef_, dtype=np.float16).astype(
            np.float32
        )  # as stored: reloading changes nothing
        return cls(space, coef, lr.intercept_.astype(np.float32))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        z = self.space.logits(texts, self.coef, self.intercept).astype(np.float64)
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(1, keepdims=True)).astype(np.float32)

    def save(self, directory: Path) -> list[str]:
        return self.space.save(
            directory, WEIGHTS_FILE, VOCAB_FILE, {"coef": self.coef.astype(np.float16), "intercept": self.intercept}
        )

    @classmethod
    def load(cls, directory: Path) -> LexicalSentiment:
        space, tensors = NgramFeatures.from_files(directory, WEIGHTS_FILE, VOCAB_FILE)
        return cls(space, tensors["coef"].astype(np.float32), tensors["intercept"])


def blend(head: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """``weight`` × lexical + (1 − weight) × head probabilities (rows still sum to 1)."""
    return weight * lexical + (1.0 - weight) * head


def choose_weight(
    head: np.ndarray, lexical: np.ndarray, levels: np.ndarray, grid: Sequence[float] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
) -> float:
    """The blend weight with the best macro-F1 on (validation) comments; ties go to the smaller weight."""
    from sklearn.metrics import f1_score

    scores = [
        f1_score(levels, blend(head, lexical, w).argmax(1), average="macro", labels=range(LEVELS), zero_division=0)
        for w in grid
    ]
    return float(grid[int(np.argmax(np.round(scores, 6)))])
