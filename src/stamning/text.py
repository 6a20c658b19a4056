"""Text handling: normalisation, validity checks and sentence-aligned chunking."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 100_000  # longer cells are cut (and flagged) before tokenisation

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_WS = re.compile(r"[ \t\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """NFC-compose (å typed as a + ring becomes å), drop control characters, squeeze spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return _WS.sub(" ", text).strip()


def skip_reason(value: object) -> str | None:
    """Why a cell cannot be classified, or None when it can."""
    if value is None:
        return "tom text"
    if isinstance(value, float) and value != value:  # NaN from pandas
        return "tom text"
    if not isinstance(value, str):
        return f"inte text ({type(value).__name__})"
    if not value.strip():
        return "tom text"
    if not any(ch.isalnum() or unicodedata.category(ch).startswith("S") for ch in value):
        return "ingen text att tolka (bara skiljetecken)"
    return None


def split_sentences(text: str) -> list[str]:
    """Split into sentences on ., !, ?, … and line breaks; keeps non-empty pieces."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def chunk_by_tokens(sentences: list[str], lengths: list[int], max_tokens: int) -> list[str]:
    """Greedily pack whole sentences into chunks of at most ``max_tokens`` tokens.

    A single sentence longer than the window becomes its own chunk (the tokenizer truncates it)."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence, n in zip(sentences, lengths):
        if current and used + n > max_tokens:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(sentence)
        used += n
    if current:
        chunks.append(" ".join(current))
    return chunks
