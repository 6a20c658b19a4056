"""What the model reads: each comment tokenised once into model inputs (whole, or sentence-aligned
chunks when longer than the window), with the token spans of its clauses for ``mixed`` detection, and
the padded width each input is always run at.

Why a fixed width per input: with bf16 on CPU, a comment's scores changed with the padded length of the
batch it landed in (oneDNN picks other kernels for other shapes), so ``--chunk-rows`` or ``--batch-size``
changed labels. Measured on the default model: padded to a multiple of :data:`PAD_MULTIPLE`, a comment's
outputs are bit-identical whatever the batch size, its position in the batch, or its neighbours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from stamning.errors import ModelError
from stamning.text import chunk_by_tokens, split_sentences

MAX_MIXED_PARTS = 24
PAD_MULTIPLE = 16
_CLAUSE = re.compile(r",?\s+men\s+|;\s+", re.IGNORECASE)


@dataclass
class Segment:
    """One model input of comment ``comment``: ``ids`` with special tokens and prefix, ``parts`` the
    [start, end) token spans of its clauses (empty unless the comment has two or more)."""

    comment: int
    text: str
    ids: list[int]
    parts: list[tuple[int, int]] = field(default_factory=list)
    width: int = 0  # the padded length this input is always run at

    @property
    def length(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Framing:
    """How a text becomes model input: special tokens around ``prefix`` + text, cut to ``window`` tokens."""

    head: list[int]
    tail: list[int]
    prefix: str
    prefix_tokens: int
    window: int
    max_length: int

    @classmethod
    def of(cls, tokenizer, max_length: int, prefix: str) -> Framing:
        probe = "x"
        full = tokenizer(probe, add_special_tokens=True)["input_ids"]
        bare = tokenizer(probe, add_special_tokens=False)["input_ids"]
        start = next((i for i in range(len(full) - len(bare) + 1) if full[i : i + len(bare)] == bare), None)
        if start is None:
            raise ModelError(
                "tokeniserarens specialtecken ändrar textens egna token; stamning kan inte rama in indata – använd en annan grundmodell"
            )
        prefixed = tokenizer(prefix + probe, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        n_prefix = sum(1 for _, end in prefixed if end <= len(prefix.rstrip())) if prefix.strip() else 0
        window = max(8, max_length - len(full) + len(bare) - n_prefix)
        return cls(full[:start], full[start + len(bare) :], prefix, n_prefix, window, max_length)

    def width(self, n: int) -> int:
        """The padded width for an input of ``n`` tokens: a function of ``n`` alone."""
        rounded = -(-n // PAD_MULTIPLE) * PAD_MULTIPLE
        return rounded if rounded <= self.max_length else max(n, self.max_length)


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses (sentences cut at ``men`` and ``;``), at most ``MAX_MIXED_PARTS``."""
    spans, cursor = [], 0
    for sentence in split_sentences(text):
        for part in _CLAUSE.split(sentence):
            part = part.strip()
            if len(part) <= 1:
                continue
            start = text.find(part, cursor)
            if start < 0:
                continue
            spans.append((start, start + len(part)))
            cursor = start + len(part)
    return spans[:MAX_MIXED_PARTS]


def _token_spans(offsets: Sequence[tuple[int, int]], chars: list[tuple[int, int]], shift: int) -> list[tuple[int, int]]:
    """Token index spans (in ``offsets``) whose tokens start inside each character span (shifted by ``shift``)."""
    out = []
    for a, b in chars:
        inside = [k for k, (s, e) in enumerate(offsets) if e > s and a + shift <= s < b + shift]
        if inside:
            out.append((inside[0], inside[-1] + 1))
    return out


def _split_long_sentence(sentence: str, tokenizer, window: int) -> list[tuple[str, int]]:
    words = sentence.split()
    counts = [len(ids) for ids in tokenizer(words, add_special_tokens=False)["input_ids"]]
    pieces: list[tuple[str, int]] = []
    current: list[str] = []
    used = 0
    for word, n in zip(words, counts):
        if current and used + n > window:
            pieces.append((" ".join(current), used))
            current, used = [], 0
        current.append(word)
        used += n
    if current:
        pieces.append((" ".join(current), used))
    return pieces


def _chunks(text: str, tokenizer, window: int) -> list[str]:
    pieces: list[tuple[str, int]] = []
    sentences = split_sentences(text)
    lengths = [len(ids) for ids in tokenizer(sentences, add_special_tokens=False)["input_ids"]]
    for sentence, n in zip(sentences, lengths):
        pieces.extend(_split_long_sentence(sentence, tokenizer, window) if n > window else [(sentence, n)])
    return chunk_by_tokens([p for p, _ in pieces], [n for _, n in pieces], window)


def _encode(texts: list[str], tokenizer, frame: Framing) -> tuple[list[list[int]], list[list[tuple[int, int]]]]:
    """Token ids and character offsets of ``prefix + text`` for each text (no special tokens)."""
    enc = tokenizer([frame.prefix + t for t in texts], add_special_tokens=False, return_offsets_mapping=True)
    return enc["input_ids"], enc["offset_mapping"]


def _segment(comment: int, text: str, ids: list[int], offsets, frame: Framing, min_parts: int) -> Segment:
    """``min_parts``: clauses needed to look for ``mixed`` at all (0: not at all; 1 for a chunk of a
    long comment, which has several clauses over its chunks)."""
    keep = frame.prefix_tokens + frame.window
    full = frame.head + list(ids[:keep]) + frame.tail
    spans = _token_spans(offsets[:keep], clause_spans(text), len(frame.prefix)) if min_parts else []
    parts = (
        [(a + len(frame.head), b + len(frame.head)) for a, b in spans] if min_parts and len(spans) >= min_parts else []
    )
    return Segment(comment, text, full, parts, frame.width(len(full)))


def part_offsets(segments: Sequence[Segment]) -> list[int]:
    """Where each segment's clauses start in a flat list of all clauses (plus the total at the end)."""
    out = [0]
    for seg in segments:
        out.append(out[-1] + len(seg.parts))
    return out


def plan_segments(texts: Sequence[str], tokenizer, max_length: int, prefix: str, detect_mixed: bool) -> list[Segment]:
    """Cut each comment into what the model will read: whole, or sentence-aligned chunks, each with
    the token spans of its clauses when ``detect_mixed``. Every text is tokenised once (long ones again
    per chunk)."""
    frame = Framing.of(tokenizer, max_length, prefix)
    ids, offsets = _encode(list(texts), tokenizer, frame)
    segments: list[Segment] = []
    for i, text in enumerate(texts):
        if len(ids[i]) - frame.prefix_tokens <= frame.window:
            segments.append(_segment(i, text, ids[i], offsets[i], frame, 2 if detect_mixed else 0))
            continue
        chunks = _chunks(text, tokenizer, frame.window)
        chunk_ids, chunk_offsets = _encode(chunks, tokenizer, frame)
        segments.extend(
            _segment(i, c, d, o, frame, 1 if detect_mixed else 0) for c, d, o in zip(chunks, chunk_ids, chunk_offsets)
        )
    return segments


def distinct_segments(segments: list[Segment]) -> tuple[list[int], np.ndarray]:
    """The index of the first of each distinct input (same token ids and clause spans), and for every
    segment the position of its input among those."""
    first: dict[tuple, int] = {}
    keep: list[int] = []
    where = np.empty(len(segments), dtype=np.int64)
    for j, seg in enumerate(segments):
        key = (tuple(seg.ids), tuple(seg.parts))
        if key not in first:
            first[key] = len(keep)
            keep.append(j)
        where[j] = first[key]
    return keep, where
