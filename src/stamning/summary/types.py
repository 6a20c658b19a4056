"""Result dataclasses for :func:`stamning.summary.rounds.summarize` and :func:`stamning.summary.compare.compare`.

``to_dict()`` gives the JSON schema documented at the top of :mod:`stamning.summary.rounds`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stamning.summary.stats import Interval, TestResult

SCHEMA_VERSION = 2  # 2: quotes numbered ("ref"), text only where first quoted; settings.source


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _iv(iv: Interval | None, digits: int = 4) -> dict | None:
    return None if iv is None else iv.to_dict(digits)


@dataclass
class Quote:
    """A theme's typical example. ``ref`` numbers the quoted comment in the report; ``text`` is None
    where the comment is quoted at an earlier place (see :func:`stamning.summary.quotes.number_quotes`)."""

    id: str
    sentiment: str
    confidence: float | None
    text: str | None
    ref: int | None = None
    row: int | None = field(default=None, repr=False, compare=False)  # the comment's position in the input

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "sentiment": self.sentiment,
            "confidence": _r(self.confidence),
            "text": self.text,
            "ref": self.ref,
        }


@dataclass
class Outlier:
    """One comment against a clear majority. ``sentence`` and the net scores are the group's joint
    statement (the same for all its outliers: the net score with and without all of them)."""

    id: str
    sentiment: str
    themes: list[str]
    text: str | None
    confidence: float | None
    uncertain: bool
    net_score_with: float
    net_score_without: float
    sentence: str
    ref: int | None = None
    row: int | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "sentiment": self.sentiment,
            "themes": list(self.themes),
            "text": self.text,
            "confidence": _r(self.confidence),
            "uncertain": self.uncertain,
            "net_score_with": _r(self.net_score_with, 2),
            "net_score_without": _r(self.net_score_without, 2),
            "sentence": self.sentence,
            "ref": self.ref,
        }


@dataclass
class AttentionItem:
    id: str
    group: str | None
    sentiment: str
    themes: list[str]
    reason: str
    text: str | None
    ref: int | None = None
    row: int | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "group": self.group,
            "sentiment": self.sentiment,
            "themes": list(self.themes),
            "reason": self.reason,
            "text": self.text,
            "ref": self.ref,
        }


@dataclass
class ThemeSummary:
    key: str
    name: str
    sensitive: bool
    count: int
    share: float
    mean_score: Interval
    impact: float
    typical_positive: Quote | None
    typical_negative: Quote | None

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "sensitive": self.sensitive,
            "count": self.count,
            "share": _r(self.share),
            "mean_score": _iv(self.mean_score),
            "impact": _r(self.impact),
            "typical_positive": self.typical_positive.to_dict() if self.typical_positive else None,
            "typical_negative": self.typical_negative.to_dict() if self.typical_negative else None,
        }


@dataclass
class IndexBand:
    label: str
    low: float | None
    high: float | None
    count: int
    share: float

    def to_dict(self) -> dict:
        return {"label": self.label, "low": self.low, "high": self.high, "count": self.count, "share": _r(self.share)}


@dataclass
class IndexSummary:
    n: int
    mean: Interval
    bands: list[IndexBand]

    def to_dict(self) -> dict:
        return {"n": self.n, "mean": _iv(self.mean, 2), "bands": [b.to_dict() for b in self.bands]}


@dataclass
class GroupSummary:
    """Figures for one round, or one group within a round. Figures are None when suppressed."""

    round: str
    group: str | None = None
    suppressed: bool = False
    suppressed_reason: str | None = None
    n: int | None = None
    n_classified: int | None = None
    n_skipped: int | None = None
    n_uncertain: int | None = None
    n_mixed: int | None = None
    distribution: dict[str, dict[str, Any]] | None = None  # level → count (int) and share (float | None)
    share_positive: Interval | None = None
    share_negative: Interval | None = None
    net_score: Interval | None = None
    median_score: float | None = None
    trimmed_mean_score: float | None = None
    quotes_shown: bool = False
    outliers: list[Outlier] = field(default_factory=list)
    attention: list[AttentionItem] = field(default_factory=list)
    themes: list[ThemeSummary] = field(default_factory=list)
    index: IndexSummary | None = None
    paragraph: str = ""

    @property
    def label(self) -> str:
        return self.group if self.group is not None else self.round

    @property
    def shown_distribution(self) -> dict[str, dict[str, Any]]:
        """The level distribution of a summary that is shown (a suppressed one has none)."""
        if self.distribution is None:
            raise ValueError(f"{self.label}: a suppressed summary has no distribution")
        return self.distribution

    @property
    def shown_net(self) -> Interval:
        """The net score of a summary that is shown (a suppressed one has none)."""
        if self.net_score is None:
            raise ValueError(f"{self.label}: a suppressed summary has no net score")
        return self.net_score

    @property
    def outlier_sentence(self) -> str | None:
        """The one statement that puts the outliers in proportion (None without outliers)."""
        return self.outliers[0].sentence if self.outliers else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "group": self.group,
            "suppressed": self.suppressed,
            "suppressed_reason": self.suppressed_reason,
            "n": self.n,
            "n_classified": self.n_classified,
            "n_skipped": self.n_skipped,
            "n_uncertain": self.n_uncertain,
            "n_mixed": self.n_mixed,
            "distribution": self.distribution,
            "share_positive": _iv(self.share_positive),
            "share_negative": _iv(self.share_negative),
            "net_score": _iv(self.net_score, 2),
            "median_score": _r(self.median_score),
            "trimmed_mean_score": _r(self.trimmed_mean_score),
            "quotes_shown": self.quotes_shown,
            "outliers": [o.to_dict() for o in self.outliers],
            "attention": [a.to_dict() for a in self.attention],
            "themes": [t.to_dict() for t in self.themes],
            "index": self.index.to_dict() if self.index else None,
            "paragraph": self.paragraph,
        }


@dataclass
class RoundSummary(GroupSummary):
    groups: list[GroupSummary] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["groups"] = [g.to_dict() for g in self.groups]
        return d


def _test(t: TestResult, scale: float, digits: int) -> dict[str, Any]:
    def s(v: float | None) -> float | None:
        return None if v is None else round(v * scale, digits)

    return {
        "before": s(t.before),
        "after": s(t.after),
        "change": s(t.change),
        "low": s(t.low),
        "high": s(t.high),
        "p_value": _r(t.p_value),
        "test": t.test,
        "significant": t.significant,
    }


@dataclass
class ThemeChange:
    key: str
    name: str
    share: TestResult
    p_adjusted: float | None
    mean_score_before: float | None
    mean_score_after: float | None

    def to_dict(self) -> dict:
        share = _test(self.share, 1, 4)
        share["p_adjusted"] = _r(self.p_adjusted)
        share["significant"] = self.p_adjusted is not None and self.p_adjusted < 0.05
        return {
            "key": self.key,
            "name": self.name,
            "share": share,
            "mean_score_before": _r(self.mean_score_before),
            "mean_score_after": _r(self.mean_score_after),
        }


@dataclass
class RoundChange:
    """Change from round ``before`` to round ``after`` (classified comments only)."""

    before: str
    after: str
    suppressed: bool = False
    suppressed_reason: str | None = None
    n_before: int | None = None
    n_after: int | None = None
    share_positive: TestResult | None = None
    share_negative: TestResult | None = None
    net_score: TestResult | None = None
    themes: list[ThemeChange] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "suppressed": self.suppressed,
            "suppressed_reason": self.suppressed_reason,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "share_positive": _test(self.share_positive, 1, 4) if self.share_positive else None,
            "share_negative": _test(self.share_negative, 1, 4) if self.share_negative else None,
            "net_score": _test(self.net_score, 1, 2) if self.net_score else None,
            "themes": [t.to_dict() for t in self.themes],
            "sentences": list(self.sentences),
        }


@dataclass
class Comparison:
    settings: dict[str, Any]
    changes: list[RoundChange]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "generated_by": "stamning",
            "settings": dict(self.settings),
            "comparisons": [c.to_dict() for c in self.changes],
        }


@dataclass
class Summary:
    settings: dict[str, Any]
    rounds: list[RoundSummary]
    comparisons: list[RoundChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the whole report (models used, zero-shot themes)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "generated_by": "stamning",
            "settings": dict(self.settings),
            "rounds": [r.to_dict() for r in self.rounds],
        }
        if self.notes:
            d["notes"] = list(self.notes)
        if self.comparisons:
            d["comparisons"] = [c.to_dict() for c in self.comparisons]
        return d
