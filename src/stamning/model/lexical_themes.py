"""Lexical theme scores: TF-IDF over word and character n-grams, one logistic regression per theme.

Themes are largely a matter of words ("lönen", "IT-systemet", "bemötandet"), and on stamning's test set a
plain n-gram model finds them better than the encoder's theme head; the two err differently, so the
model blends them (``ModelConfig.lexical_theme_weight``). This module fits with scikit-learn but
predicts with numpy only, from weights stored as safetensors and a JSON vocabulary (no pickle).

Features (the same code at fit and predict time): lower-cased words of two or more letters and
word bigrams; character 2–5-grams inside each space-padded word. Each block is sublinear-tf × idf,
L2-normalised on its own.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from stamning.errors import ModelError

WEIGHTS_FILE = "lexical.safetensors"
VOCAB_FILE = "lexical.json"
_WORD = re.compile(r"\w\w+")


def word_terms(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def char_terms(text: str) -> list[str]:
    out: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(2, 6):
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


ANALYZERS = {"words": word_terms, "chars": char_terms}


def _vocabulary(docs: list[list[str]], min_df: int, limit: int) -> tuple[list[str], np.ndarray]:
    """Terms in at least ``min_df`` documents, the ``limit`` most frequent (ties by term), and their idf."""
    df = Counter(term for doc in docs for term in set(doc))
    kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:limit]
    kept.sort()
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
    return kept, idf


class NgramFeatures:
    """The shared feature space: vocabulary and idf per block; rows are sublinear-tf × idf, L2 per block."""

    def __init__(self, vocab: dict[str, list[str]], idf: dict[str, np.ndarray]):
        self.vocab, self.idf = vocab, idf
        self._index = {block: {t: i for i, t in enumerate(terms)} for block, terms in vocab.items()}
        self._offset = {}
        start = 0
        for block in ANALYZERS:
            self._offset[block] = start
            start += len(vocab[block])
        self.size = start

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, limits: dict[str, int] | None = None) -> NgramFeatures:
        limits = limits or {"words": 20_000, "chars": 40_000}
        vocab, idf = {}, {}
        for block, analyzer in ANALYZERS.items():
            vocab[block], idf[block] = _vocabulary([analyzer(t) for t in texts], min_df, limits[block])
        return cls(vocab, idf)

    def rows(self, texts: Iterable[str]):
        """Per text: the feature columns and their values (both blocks side by side)."""
        for text in texts:
            cols, vals = [], []
            for block, analyzer in ANALYZERS.items():
                index, idf = self._index[block], self.idf[block]
                counts = Counter(i for i in map(index.get, analyzer(text)) if i is not None)
                if not counts:
                    continue
                ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[ids]
                cols.append(ids + self._offset[block])
                vals.append(values / np.linalg.norm(values))
            yield (np.concatenate(cols), np.concatenate(vals)) if cols else (np.zeros(0, np.int64), np.zeros(0))

    def matrix(self, texts: Iterable[str]):
        """A sparse (CSR) matrix, one row per text (for fitting; needs scipy)."""
        from scipy.sparse import csr_matrix

        rows = list(self.rows(texts))
        indptr = np.cumsum([0] + [len(c) for c, _ in rows])
        cols = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, np.int64)
        data = np.concatenate([v for _, v in rows]).astype(np.float32) if rows else np.zeros(0, np.float32)
        return csr_matrix((data, cols, indptr), shape=(len(rows), self.size))

    def logits(self, texts: Sequence[str], coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        """``intercept + coef @ x`` per text [texts, outputs] (numpy only)."""
        out = np.tile(intercept, (len(texts), 1))
        for n, (cols, vals) in enumerate(self.rows(texts)):
            if len(cols):
                out[n] += coef[:, cols] @ vals.astype(np.float32)
        return out

    def tensors(self) -> dict[str, np.ndarray]:
        return {f"idf_{block}": self.idf[block] for block in ANALYZERS}

    def meta(self) -> dict:
        return {"version": 1, "vocab": self.vocab}

    @classmethod
    def from_files(cls, directory: Path, weights_file: str, vocab_file: str) -> tuple[NgramFeatures, dict]:
        """The features and the other tensors stored next to them (``coef``, ``intercept``)."""
        from safetensors.numpy import load_file

        from stamning.io.modelfiles import check_safetensors, read_json

        meta = read_json(directory / vocab_file)
        check_safetensors(directory / weights_file)  # claimed sizes checked before anything is allocated
        try:
            tensors = load_file(str(directory / weights_file))
        except (OSError, ValueError) as err:
            raise ModelError(
                f"{directory}: kan inte läsa de lexikala filerna {vocab_file}/{weights_file} ({str(err)[:120]}); bygg om modellmappen eller ge --model en komplett modellmapp"
            ) from None
        if not isinstance(meta, dict) or meta.get("version") != 1 or set(meta.get("vocab", {})) != set(ANALYZERS):
            raise ModelError(
                f"{directory / vocab_file}: okänt lexikalt format; bygg om modellen med stamning train i den här versionen"
            )
        missing = sorted({"coef", "intercept", *(f"idf_{block}" for block in ANALYZERS)} - set(tensors))
        if missing:
            raise ModelError(
                f"{directory / weights_file}: saknar tensorn {missing[0]!r}; modellmappen är skadad – "
                "bygg om den eller ge --model en komplett modellmapp"
            )
        return cls(meta["vocab"], {block: tensors[f"idf_{block}"] for block in ANALYZERS}), tensors

    def save(self, directory: Path, weights_file: str, vocab_file: str, tensors: dict[str, np.ndarray]) -> list[str]:
        from safetensors.numpy import save_file

        save_file(
            {k: np.ascontiguousarray(v) for k, v in (tensors | self.tensors()).items()}, str(directory / weights_file)
        )
        (directory / vocab_file).write_text(json.dumps(self.meta(), ensure_ascii=False), "utf-8")
        return [weights_file, vocab_file]


class LexicalThemes:
    """``fit`` on texts and a 0/1 theme matrix; ``predict_proba`` gives a probability per theme."""

    def __init__(
        self, vocab: dict[str, list[str]], idf: dict[str, np.ndarray], coef: np.ndarray, intercept: np.ndarray
    ):
        self.space = NgramFeatures(vocab, idf)
        self.vocab, self.idf = vocab, idf
        self.coef, self.intercept = coef.astype(np.float32), intercept.astype(np.float32)
        if self.coef.shape[1] != self.space.size:
            raise ModelError(
                f"de lexikala vikterna har {self.coef.shape[1]} särdrag men vokabulären {self.space.size}; filerna hör inte ihop – bygg om modellmappen eller ge --model en komplett modellmapp"
            )

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: np.ndarray,
        c: float = 4.0,
        min_df: int = 2,
        limits: dict[str, int] | None = None,
        seed: int = 0,
    ) -> LexicalThemes:
        from sklearn.linear_model import LogisticRegression

        space = NgramFeatures.fit(texts, min_df, limits)
        coef = np.zeros((labels.shape[1], space.size), dtype=np.float32)
        intercept = np.full(labels.shape[1], -10.0, dtype=np.float32)  # a theme never seen: never predicted
        model = cls(space.vocab, space.idf, coef, intercept)
        x = model.features(texts)
        for j in range(labels.shape[1]):
            y = labels[:, j].astype(int)
            if 0 < y.sum() < len(y):
                lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed).fit(x, y)
                model.coef[j], model.intercept[j] = lr.coef_[0], lr.intercept_[0]
        model.coef = model.coef.astype(np.float16).astype(np.float32)  # as stored, so reloading changes nothing
        return model

    # ------------------------------------------------------------------ predicting
    def features(self, texts: Iterable[str]):
        """A sparse (CSR) matrix, one row per text (for fitting; needs scipy)."""
        return self.space.matrix(texts)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities [texts, themes] (numpy only: no scipy or scikit-learn import at prediction time)."""
        logits = self.space.logits(texts, self.coef, self.intercept)
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))).astype(np.float32)

    # ------------------------------------------------------------------ files
    def save(self, directory: Path) -> list[str]:
        return self.space.save(
            directory, WEIGHTS_FILE, VOCAB_FILE, {"coef": self.coef.astype(np.float16), "intercept": self.intercept}
        )

    @classmethod
    def load(cls, directory: Path) -> LexicalThemes:
        space, tensors = NgramFeatures.from_files(directory, WEIGHTS_FILE, VOCAB_FILE)
        return cls(space.vocab, space.idf, tensors["coef"].astype(np.float32), tensors["intercept"])
