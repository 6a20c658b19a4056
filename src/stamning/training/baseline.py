"""A TF-IDF + logistic-regression baseline for the same two tasks, to measure the model against."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline

from stamning.training.labelled import LabelledData


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
        ]
    )


class TfidfBaseline:
    """Word and character n-grams, one logistic regression for sentiment, one per theme."""

    def __init__(self, c: float = 4.0, seed: int = 0):
        self.sentiment = make_pipeline(_features(), LogisticRegression(C=c, max_iter=2000, random_state=seed))
        self.themes = make_pipeline(
            _features(),
            OneVsRestClassifier(LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)),
        )
        self.theme_keys: list[str] = []

    def fit(self, data: LabelledData) -> TfidfBaseline:
        self.sentiment.fit(data.texts, data.sentiment)
        if data.themes is not None:
            self.theme_keys = list(data.theme_keys)
            keep = data.themes.sum(0) > 0
            self._keep = keep
            self.themes.fit(data.texts, data.themes[:, keep].astype(int))
        return self

    def sentiment_proba(self, texts: list[str]) -> np.ndarray:
        proba = np.zeros((len(texts), 5))
        proba[:, self.sentiment.classes_] = self.sentiment.predict_proba(texts)
        return proba

    def theme_proba(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.theme_keys)))
        out[:, self._keep] = self.themes.predict_proba(texts)
        return out
