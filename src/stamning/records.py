"""Typed records: a comment in, a prediction out, and the output-column contract.

Output columns (a stable contract, documented in README):

``sentiment``            one of :data:`SENTIMENT_LEVELS` (empty when skipped)
``sentiment_score``      expected value on the scale -2..+2
``sentiment_confidence`` probability of the chosen level
``p_<level>``            one probability column per level
``themes``               ``;``-joined theme keys
``mixed``                true when clearly positive and clearly negative parts were found
``status``               ``ok`` or ``skipped``
``reason``               why a row was skipped; on an ``ok`` row a note (``avkortad: …`` when only the
                         first characters were read), else empty
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SENTIMENT_LEVELS: tuple[str, ...] = ("mycket_negativ", "negativ", "neutral", "positiv", "mycket_positiv")
SENTIMENT_VALUES: tuple[int, ...] = (-2, -1, 0, 1, 2)
SENTIMENT_NAMES_SV: dict[str, str] = {
    "mycket_negativ": "mycket negativ",
    "negativ": "negativ",
    "neutral": "neutral",
    "positiv": "positiv",
    "mycket_positiv": "mycket positiv",
}

STATUS_OK = "ok"
STATUS_SKIPPED = "skipped"

PROB_COLUMNS: tuple[str, ...] = tuple(f"p_{level}" for level in SENTIMENT_LEVELS)
OUTPUT_COLUMNS: tuple[str, ...] = (
    "sentiment",
    "sentiment_score",
    "sentiment_confidence",
    *PROB_COLUMNS,
    "themes",
    "mixed",
    "status",
    "reason",
)


@dataclass(frozen=True)
class Comment:
    """One free-text answer. ``row`` is its 1-based position among the input's data rows."""

    id: str
    text: str | None
    row: int
    round: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Prediction:
    """What the model says about one comment (or why it said nothing)."""

    id: str
    status: str = STATUS_OK
    reason: str = ""
    sentiment: str | None = None
    probabilities: Mapping[str, float] = field(default_factory=dict)
    themes: tuple[str, ...] = ()
    theme_probabilities: Mapping[str, float] = field(default_factory=dict)
    mixed: bool = False
    worst_chunk_score: float | None = None  # for texts split into chunks: the most negative chunk's score

    def __post_init__(self) -> None:
        if self.status not in (STATUS_OK, STATUS_SKIPPED):
            raise ValueError(f"status must be 'ok' or 'skipped', got {self.status!r}")
        if self.status == STATUS_OK and self.sentiment not in SENTIMENT_LEVELS:
            raise ValueError(f"sentiment must be one of {SENTIMENT_LEVELS}, got {self.sentiment!r}")
        if self.status == STATUS_SKIPPED and not self.reason:
            raise ValueError("a skipped prediction needs a reason")

    @property
    def score(self) -> float | None:
        """Expected value of the sentiment on -2..+2."""
        if self.status != STATUS_OK:
            return None
        return float(sum(v * self.probabilities[lvl] for lvl, v in zip(SENTIMENT_LEVELS, SENTIMENT_VALUES)))

    @property
    def confidence(self) -> float | None:
        if self.status != STATUS_OK or self.sentiment is None:
            return None
        return float(self.probabilities[self.sentiment])

    @classmethod
    def skipped(cls, id: str, reason: str) -> Prediction:
        return cls(id=id, status=STATUS_SKIPPED, reason=reason)

    def to_columns(self) -> dict[str, object]:
        """The output-contract columns for this prediction."""
        ok = self.status == STATUS_OK
        score, confidence = self.score, self.confidence
        row: dict[str, object] = {
            "sentiment": self.sentiment if ok else None,
            "sentiment_score": round(score, 4) if score is not None else None,
            "sentiment_confidence": round(confidence, 4) if confidence is not None else None,
        }
        for level, col in zip(SENTIMENT_LEVELS, PROB_COLUMNS):
            row[col] = round(float(self.probabilities[level]), 4) if ok else None
        row["themes"] = ";".join(self.themes) if ok else ""
        row["mixed"] = bool(self.mixed) if ok else None
        row["status"] = self.status
        row["reason"] = self.reason
        return row
