"""Batched inference: length-sorted batches, each input padded to a width fixed by its own length (so
batch composition never changes a result), bf16 autocast where the CPU has it, sentence-aligned chunks
for texts longer than the window, and mixed-comment detection from the same encoder pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import torch

from stamning.encoders.segments import Segment, distinct_segments, part_offsets, plan_segments
from stamning.model.calibration import calibrate, softmax
from stamning.options import BATCH_SIZE
from stamning.records import SENTIMENT_LEVELS, Prediction
from stamning.text import MAX_CHARS, normalize, skip_reason

if TYPE_CHECKING:
    from stamning.model.classifier import StamningModel

__all__ = [
    "plan_segments",
    "predict",
    "predict_proba",
    "prepare",
    "Prepared",
    "run_segments",
    "score",
    "Scores",
    "Segment",
]

# A comment is mixed when one clause reaches P(pos) >= MIXED_MIN and one reaches P(neg) >= MIXED_MIN, read
# from the clauses' token states in the comment's own pass. Those states carry the whole comment's tone,
# so a clause against that tone scores far lower than it would alone (where 0.6 was used): 0.02 had the
# best F1 on labelled pairs from the training split (benchmarks/mixed_eval.py, benchmarks/README.md).
MIXED_MIN = 0.02
MAX_BATCH_TOKENS = 4096  # long segments go in smaller batches: bounds the activation memory of one batch


@lru_cache(maxsize=1)
def cpu_supports_bf16() -> bool:
    """Checked once: AVX512-BF16 / AMX through oneDNN. Never fp16 on CPU."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:
        return False


def resolve_precision(precision: str, device: str) -> torch.dtype | None:
    """The autocast dtype for ``precision`` ('auto', 'fp32', 'bf16', 'fp16'), or None for plain fp32."""
    if precision == "fp32":
        return None
    if device.startswith("cuda"):
        return torch.float16 if precision == "fp16" else torch.bfloat16
    if precision == "fp16":
        raise ValueError("fp16 on CPU is very slow; use precision 'bf16' or 'fp32'")
    if precision == "bf16" or (precision == "auto" and cpu_supports_bf16()):
        return torch.bfloat16
    return None


def _batches(order: list[int], segments: list[Segment], batch_size: int) -> list[list[int]]:
    """Consecutive runs of the length-sorted order that share one padded width: at most ``batch_size``
    segments and, beyond one segment, at most ``MAX_BATCH_TOKENS`` padded tokens."""
    out: list[list[int]] = []
    current: list[int] = []
    for j in order:
        width = segments[j].width
        if current and (
            len(current) >= batch_size
            or segments[current[0]].width != width
            or (len(current) + 1) * width > MAX_BATCH_TOKENS
        ):
            out.append(current)
            current = []
        current.append(j)
    if current:
        out.append(current)
    return out


def _inputs(batch: list[Segment], pad_id: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    ids = np.full((len(batch), batch[0].width), pad_id, dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, seg in enumerate(batch):
        ids[row, : seg.length] = seg.ids
        mask[row, : seg.length] = 1
    return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)


def _clause_sentiment(model: StamningModel, hidden: torch.Tensor, batch: list[Segment]) -> np.ndarray | None:
    """Sentiment probabilities of every clause in the batch: its token states averaged, then the
    sentiment head, with reductions over the clause's own values only (no batch-sized matmul whose
    rounding could depend on the other comments in the batch)."""
    spans = [(row, a, b) for row, seg in enumerate(batch) for a, b in seg.parts]
    if not spans:
        return None
    pooled = torch.stack([hidden[row, a:b].float().mean(0) for row, a, b in spans])
    return _softmax(_row_head(model.sentiment_head, pooled))


def _softmax(logits: torch.Tensor) -> np.ndarray:
    """In float64, then float32: torch's vectorised float32 exp rounds the tail of a tensor differently
    from its body, so a comment's probabilities would depend on its place in the batch."""
    return softmax(logits.double().cpu().numpy()).astype(np.float32)


def _sigmoid(logits: torch.Tensor) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-logits.double().cpu().numpy()))).astype(np.float32)


def _row_head(head: torch.nn.Linear, pooled: torch.Tensor) -> torch.Tensor:
    """A linear head in fp32, one fixed-shape product per row: a row's logits never depend on the other
    rows of the batch (a batched matmul or reduction may round differently with the batch's shape)."""
    weight, bias = head.weight.float(), head.bias.float()
    return torch.stack([torch.mv(weight, row) + bias for row in pooled.float()])


def run_segments(
    model: StamningModel,
    segments: list[Segment],
    batch_size: int,
    autocast: torch.dtype | None,
    device: str,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentiment and theme probabilities for every segment (in segment order), and the sentiment
    probabilities of every clause (segment order, then clause order) from the same encoder pass:
    each clause's token states are averaged and read by the sentiment head. Identical inputs (a survey's
    many "Nej" and "Inget att tillägga") run once: a segment's result never depends on its neighbours, so
    the copies are bit-identical to running each.

    ``on_batch(n)`` is called after each batch with the number of segments it stood for (for progress)."""
    keep, where = distinct_segments(segments)
    counts = np.bincount(where, minlength=len(keep))
    report = None if on_batch is None else lambda idx: on_batch(int(counts[idx].sum()))
    if len(keep) == len(segments):
        return _run_distinct(model, segments, batch_size, autocast, device, report)
    unique = [segments[j] for j in keep]
    sent, themes, parts = _run_distinct(model, unique, batch_size, autocast, device, report)
    first_part = part_offsets(unique)
    rows = [np.arange(first_part[k], first_part[k + 1]) for k in where]
    return sent[where], themes[where], parts[np.concatenate(rows) if rows else np.zeros(0, np.int64)]


def _run_distinct(
    model: StamningModel,
    segments: list[Segment],
    batch_size: int,
    autocast: torch.dtype | None,
    device: str,
    on_batch: Callable[[list[int]], None] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`run_segments` on distinct inputs; ``on_batch(idx)`` after each batch with its segments' indices."""
    cfg = model.config
    order = sorted(range(len(segments)), key=lambda j: (segments[j].length, j))
    first_part = part_offsets(segments)
    sent = np.zeros((len(segments), len(cfg.sentiment_labels)), dtype=np.float32)
    themes = np.zeros((len(segments), len(cfg.theme_keys)), dtype=np.float32)
    parts = np.zeros((int(first_part[-1]), len(cfg.sentiment_labels)), dtype=np.float32)
    device_type = "cuda" if device.startswith("cuda") else "cpu"
    pad_id = model.tokenizer.pad_token_id if model.tokenizer.pad_token_id is not None else 0  # padding is masked
    with torch.inference_mode():
        for idx in _batches(order, segments, batch_size):
            batch = [segments[j] for j in idx]
            ids, mask = _inputs(batch, pad_id, device)
            with torch.autocast(device_type, dtype=autocast or torch.bfloat16, enabled=autocast is not None):
                hidden = model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            pooled = model.pool(hidden.float(), mask)
            s_logits, t_logits = _row_head(model.sentiment_head, pooled), _row_head(model.theme_head, pooled)
            sent[idx] = _softmax(s_logits)
            themes[idx] = _sigmoid(t_logits)
            clauses = _clause_sentiment(model, hidden, batch)
            if clauses is not None:
                parts[np.concatenate([np.arange(first_part[j], first_part[j + 1]) for j in idx])] = clauses
            if on_batch:
                on_batch(idx)
    return sent, themes, parts


@dataclass(frozen=True)
class Scores:
    """Per-input probabilities of one :func:`score` call (rows of skipped inputs are NaN).

    ``sentiment`` [n, 5] (lexical blend and temperature applied), ``themes`` [n, k] (lexical blend applied);
    ``reasons`` says why an input was skipped (None when classified). The segment arrays keep what
    :func:`predict` reads for mixed-comment detection and the worst chunk."""

    sentiment: np.ndarray
    themes: np.ndarray
    reasons: list[str | None]
    segments: dict[int, list[int]]
    segment_sentiment: np.ndarray
    part_sentiment: np.ndarray
    first_part: list[int]


def _comment_probabilities(
    model: StamningModel,
    segs: list[int],
    sent: np.ndarray,
    themes: np.ndarray,
    lexical: np.ndarray | None,
    lexical_sentiment: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One comment's sentiment and theme probabilities from its segments' rows (and the lexical models)."""
    cfg = model.config
    probs = sent[segs].mean(0)
    if lexical_sentiment is not None:
        w = cfg.lexical_sentiment_weight
        probs = w * lexical_sentiment + (1.0 - w) * probs
    probs = calibrate(probs, cfg.sentiment_temperature)
    theme_probs = themes[segs].max(0)
    if lexical is not None:
        w = cfg.lexical_theme_weight
        theme_probs = w * lexical + (1.0 - w) * theme_probs
    return probs, theme_probs


def is_mixed(clauses: np.ndarray) -> bool:
    """Whether one clause (a row of sentiment probabilities) leans positive and one negative."""
    pos, neg = clauses[:, 3:].sum(1), clauses[:, :2].sum(1)
    return bool((pos >= MIXED_MIN).any() and (neg >= MIXED_MIN).any())


def _record(model: StamningModel, scores: Scores, k: int, pos: int, comment_id: str) -> Prediction:
    """Input ``k`` (the ``pos``-th classified one) as a :class:`Prediction` built on its score rows."""
    cfg = model.config
    segs, sent = scores.segments[pos], scores.segment_sentiment
    probs, theme_probs = scores.sentiment[k], scores.themes[k]
    part_sent = scores.part_sentiment[scores.first_part[segs[0]] : scores.first_part[segs[-1] + 1]]
    values = np.array([-2, -1, 0, 1, 2], dtype=np.float32)
    worst = min(segs, key=lambda j: float(sent[j] @ values))
    label = SENTIMENT_LEVELS[int(probs.argmax())]
    chosen = tuple(k for k, p, t in zip(cfg.theme_keys, theme_probs, cfg.theme_thresholds) if p >= t)
    return Prediction(
        id=comment_id,
        sentiment=label,
        probabilities={lvl: float(p) for lvl, p in zip(SENTIMENT_LEVELS, probs)},
        themes=chosen,
        theme_probabilities={k: float(p) for k, p in zip(cfg.theme_keys, theme_probs)},
        mixed=is_mixed(part_sent),
        worst_chunk_score=float(sent[worst] @ values) if len(segs) > 1 else None,
    )


def _share_counter(total: int, report: Callable[[float], None]) -> Callable[[int], None]:
    done = [0]

    def count(n: int) -> None:
        done[0] += n
        report(done[0] / max(total, 1))

    return count


@dataclass(frozen=True)
class Prepared:
    """Inputs made ready for the encoder without running it (cleaned, tokenised into segments, lexical
    scores): the part of :func:`score` a reader thread can do for the next chunk while the encoder runs."""

    reasons: list[str | None]  # why each input is skipped (None: classified)
    valid: list[int]  # positions of the classified inputs
    clean: list[str]  # their normalised text
    segments: list[Segment]
    lexical: np.ndarray | None
    lexical_sentiment: np.ndarray | None


def prepare(model: StamningModel, texts: Sequence[object], *, detect_mixed: bool = True) -> Prepared:
    """Everything :func:`score` does before the encoder: skip reasons, normalised text, segments, lexical scores."""
    reasons = [skip_reason(t) for t in texts]
    valid = [k for k, r in enumerate(reasons) if r is None]
    clean = [normalize(str(texts[k])[:MAX_CHARS]) for k in valid]
    segments = plan_segments(clean, model.tokenizer, model.config.max_length, model.config.input_prefix, detect_mixed)
    lexical = (
        model.lexical.predict_proba(clean)
        if model.lexical is not None and model.config.lexical_theme_weight > 0 and clean
        else None
    )
    lex_sent = model.lexical_sentiment if model.config.lexical_sentiment_weight > 0 else None
    lexical_sentiment = lex_sent.predict_proba(clean) if lex_sent is not None and clean else None
    return Prepared(reasons, valid, clean, segments, lexical, lexical_sentiment)


def score(
    model: StamningModel,
    texts: Sequence[object],
    *,
    batch_size: int = BATCH_SIZE,
    precision: str = "auto",
    detect_mixed: bool = True,
    on_progress: Callable[[float], None] | None = None,
    prepared: Prepared | None = None,
) -> Scores:
    """The probabilities of every input (one encoder pass per segment); what :func:`predict` and
    :func:`predict_proba` are built on. ``on_progress(share)`` is called after each model batch.
    ``prepared``: :func:`prepare` already run on these texts (same ``detect_mixed``), e.g. by a reader thread."""
    device = str(next(model.parameters()).device)
    autocast = resolve_precision(precision, device)
    model.eval()
    ready = prepared if prepared is not None else prepare(model, texts, detect_mixed=detect_mixed)
    reasons, valid, segments = ready.reasons, ready.valid, ready.segments
    lexical, lexical_sentiment = ready.lexical, ready.lexical_sentiment
    on_batch = _share_counter(len(segments), on_progress) if on_progress else None
    n_levels, n_themes = len(model.config.sentiment_labels), len(model.config.theme_keys)
    sent, themes, part_sent = (
        run_segments(model, segments, batch_size, autocast, device, on_batch)
        if segments
        else (
            np.zeros((0, n_levels), np.float32),
            np.zeros((0, n_themes), np.float32),
            np.zeros((0, n_levels), np.float32),
        )
    )
    by_comment: dict[int, list[int]] = {}
    for j, seg in enumerate(segments):
        by_comment.setdefault(seg.comment, []).append(j)
    out_sent = np.full((len(texts), n_levels), np.nan)  # float64: holds float32 rows and lexical blends exactly
    out_themes = np.full((len(texts), n_themes), np.nan)
    for pos, k in enumerate(valid):
        out_sent[k], out_themes[k] = _comment_probabilities(
            model,
            by_comment[pos],
            sent,
            themes,
            None if lexical is None else lexical[pos],
            None if lexical_sentiment is None else lexical_sentiment[pos],
        )
    return Scores(out_sent, out_themes, reasons, by_comment, sent, part_sent, part_offsets(segments))


def predict_proba(
    model: StamningModel, texts: Sequence[object], *, batch_size: int = BATCH_SIZE, precision: str = "auto"
) -> tuple[np.ndarray, np.ndarray]:
    """Sentiment probabilities [n, 5] and theme probabilities [n, k] (float64, input order); the same
    numbers :func:`predict` puts in its records. Rows of inputs that cannot be classified are NaN."""
    scores = score(model, texts, batch_size=batch_size, precision=precision, detect_mixed=False)
    return scores.sentiment, scores.themes


def predict(
    model: StamningModel,
    texts: Sequence[object],
    ids: Sequence[str] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    precision: str = "auto",
    detect_mixed: bool = True,
    on_progress: Callable[[float], None] | None = None,
    prepared: Prepared | None = None,
) -> list[Prediction]:
    """One :class:`Prediction` per input, in input order; unclassifiable inputs come back skipped.

    ``on_progress(share)`` is called after each model batch with the share (0..1) of the work done.
    ``prepared``: :func:`prepare` already run on these texts (e.g. by ``classify_file``'s reader thread)."""
    ids = [str(i + 1) for i in range(len(texts))] if ids is None else [str(x) for x in ids]
    if len(ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
    scores = score(
        model,
        texts,
        batch_size=batch_size,
        precision=precision,
        detect_mixed=detect_mixed,
        on_progress=on_progress,
        prepared=prepared,
    )
    results: list[Prediction] = []
    pos = 0
    for k, reason in enumerate(scores.reasons):
        if reason is not None:
            results.append(Prediction.skipped(ids[k], reason))
            continue
        pred = _record(model, scores, k, pos, ids[k])
        pos += 1
        if len(str(texts[k])) > MAX_CHARS:
            pred = replace(pred, reason=f"avkortad: bara de första {MAX_CHARS:,} tecknen lästes".replace(",", " "))
        results.append(pred)
    return results
