"""Batched inference: length-sorted batches with dynamic padding, bf16 autocast where the CPU has it,
sentence-aligned chunks for texts longer than the window, and mixed-comment detection."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import torch

from .calibration import calibrate
from .records import SENTIMENT_LEVELS, Prediction
from .text import MAX_CHARS, chunk_by_tokens, normalize, skip_reason, split_sentences

CLEAR = 0.6  # a part is "clearly" positive/negative when P(pos) or P(neg) reaches this
MAX_MIXED_PARTS = 24
MAX_BATCH_TOKENS = 4096  # long segments go in smaller batches: bounds the activation memory of one batch
_CLAUSE = re.compile(r",?\s+men\s+|;\s+", re.IGNORECASE)


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


@dataclass
class Segment:
    comment: int
    kind: str  # "chunk" (classification) or "part" (mixed detection)
    text: str
    length: int


def _split_long_sentence(sentence: str, tokenizer, window: int) -> list[tuple[str, int]]:
    words = sentence.split()
    counts = [len(ids) for ids in tokenizer(words, add_special_tokens=False)["input_ids"]]
    pieces, current, used = [], [], 0
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


def _parts(text: str) -> list[str]:
    parts = [p.strip() for s in split_sentences(text) for p in _CLAUSE.split(s)]
    return [p for p in parts if len(p) > 1][:MAX_MIXED_PARTS]


def plan_segments(texts: Sequence[str], tokenizer, max_length: int, prefix: str, detect_mixed: bool) -> list[Segment]:
    """Cut each comment into what the model will read: whole, or sentence-aligned chunks; plus parts."""
    prefix_len = len(tokenizer(prefix, add_special_tokens=False)["input_ids"]) if prefix else 0
    window = max(8, max_length - 2 - prefix_len)
    lengths = [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]
    segments: list[Segment] = []
    for i, (text, n) in enumerate(zip(texts, lengths)):
        chunks = [text] if n <= window else _chunks(text, tokenizer, window)
        segments.extend(Segment(i, "chunk", c, min(n, window)) for c in chunks)
        if detect_mixed:
            parts = _parts(text)
            if len(parts) >= 2:
                segments.extend(Segment(i, "part", p, max(1, len(p) // 4)) for p in parts)
    return segments


def _batches(order: list[int], segments: list[Segment], batch_size: int) -> list[list[int]]:
    """Consecutive runs of the length-sorted order: at most ``batch_size`` segments and, beyond one
    segment, at most ``MAX_BATCH_TOKENS`` padded tokens (length + 2 special tokens per segment)."""
    out: list[list[int]] = []
    current: list[int] = []
    for j in order:
        width = segments[j].length + 2
        if current and (len(current) >= batch_size or (len(current) + 1) * width > MAX_BATCH_TOKENS):
            out.append(current)
            current = []
        current.append(j)
    if current:
        out.append(current)
    return out


def run_segments(model, segments: list[Segment], batch_size: int, autocast: torch.dtype | None,
                 device: str, on_batch: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Sentiment probabilities and theme probabilities for every segment (in segment order).

    ``on_batch(n)`` is called after each batch with the number of segments it held (for progress)."""
    tok, cfg = model.tokenizer, model.config
    order = sorted(range(len(segments)), key=lambda j: (segments[j].length, j))
    sent = np.zeros((len(segments), len(cfg.sentiment_labels)), dtype=np.float32)
    themes = np.zeros((len(segments), len(cfg.theme_keys)), dtype=np.float32)
    device_type = "cuda" if device.startswith("cuda") else "cpu"
    with torch.inference_mode():
        for idx in _batches(order, segments, batch_size):
            batch = tok([cfg.input_prefix + segments[j].text for j in idx], padding=True, truncation=True,
                        max_length=cfg.max_length, return_tensors="pt")
            ids, mask = batch["input_ids"].to(device), batch["attention_mask"].to(device)
            with torch.autocast(device_type, dtype=autocast or torch.bfloat16, enabled=autocast is not None):
                s_logits, t_logits = model(ids, mask)
            sent[idx] = torch.softmax(s_logits.float(), -1).cpu().numpy()
            themes[idx] = torch.sigmoid(t_logits.float()).cpu().numpy()
            if on_batch:
                on_batch(len(idx))
    return sent, themes


def _aggregate(model, segs: list[int], segments: list[Segment], sent: np.ndarray, themes: np.ndarray,
               comment_id: str, lexical: np.ndarray | None = None, lexical_sentiment: np.ndarray | None = None) -> Prediction:
    cfg = model.config
    chunk_rows = [j for j in segs if segments[j].kind == "chunk"]
    part_rows = [j for j in segs if segments[j].kind == "part"]
    probs = sent[chunk_rows].mean(0)
    if lexical_sentiment is not None:
        w = cfg.lexical_sentiment_weight
        probs = w * lexical_sentiment + (1.0 - w) * probs
    probs = calibrate(probs, cfg.sentiment_temperature)
    theme_probs = themes[chunk_rows].max(0)
    if lexical is not None:
        w = cfg.lexical_theme_weight
        theme_probs = w * lexical + (1.0 - w) * theme_probs
    values = np.array([-2, -1, 0, 1, 2], dtype=np.float32)
    worst = min(chunk_rows, key=lambda j: float(sent[j] @ values))
    mixed = False
    if part_rows:
        pos = sent[part_rows][:, 3:].sum(1)
        neg = sent[part_rows][:, :2].sum(1)
        mixed = bool((pos >= CLEAR).any() and (neg >= CLEAR).any())
    label = SENTIMENT_LEVELS[int(probs.argmax())]
    chosen = tuple(k for k, p, t in zip(cfg.theme_keys, theme_probs, cfg.theme_thresholds) if p >= t)
    return Prediction(
        id=comment_id, sentiment=label,
        probabilities={lvl: float(p) for lvl, p in zip(SENTIMENT_LEVELS, probs)},
        themes=chosen, theme_probabilities={k: float(p) for k, p in zip(cfg.theme_keys, theme_probs)},
        mixed=mixed, worst_chunk_score=float(sent[worst] @ values) if len(chunk_rows) > 1 else None,
    )


def _share_counter(total: int, report: Callable[[float], None]) -> Callable[[int], None]:
    done = [0]

    def count(n: int) -> None:
        done[0] += n
        report(done[0] / max(total, 1))
    return count


def predict(model, texts: Sequence[object], ids: Sequence[str] | None = None, *, batch_size: int = 32,
            precision: str = "auto", detect_mixed: bool = True,
            on_progress: Callable[[float], None] | None = None) -> list[Prediction]:
    """One :class:`Prediction` per input, in input order; unclassifiable inputs come back skipped.

    ``on_progress(share)`` is called after each model batch with the share (0..1) of the work done."""
    ids = [str(i + 1) for i in range(len(texts))] if ids is None else [str(x) for x in ids]
    if len(ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
    device = str(next(model.parameters()).device)
    autocast = resolve_precision(precision, device)
    model.eval()
    reasons = [skip_reason(t) for t in texts]
    valid = [k for k, r in enumerate(reasons) if r is None]
    clean = [normalize(str(texts[k])[:MAX_CHARS]) for k in valid]
    segments = plan_segments(clean, model.tokenizer, model.config.max_length, model.config.input_prefix, detect_mixed)
    on_batch = _share_counter(len(segments), on_progress) if on_progress else None
    sent, themes = run_segments(model, segments, batch_size, autocast, device, on_batch) if segments else (None, None)
    use_lexical = getattr(model, "lexical", None) is not None and model.config.lexical_theme_weight > 0
    lexical = model.lexical.predict_proba(clean) if use_lexical and clean else None
    lex_sent = getattr(model, "lexical_sentiment", None) if model.config.lexical_sentiment_weight > 0 else None
    lexical_sentiment = lex_sent.predict_proba(clean) if lex_sent is not None and clean else None
    by_comment: dict[int, list[int]] = {}
    for j, seg in enumerate(segments):
        by_comment.setdefault(seg.comment, []).append(j)
    results = {k: Prediction.skipped(ids[k], r) for k, r in enumerate(reasons) if r is not None}
    for pos, k in enumerate(valid):
        pred = _aggregate(model, by_comment[pos], segments, sent, themes, ids[k],
                          None if lexical is None else lexical[pos],
                          None if lexical_sentiment is None else lexical_sentiment[pos])
        if len(str(texts[k])) > MAX_CHARS:
            pred = replace(pred, reason=f"avkortad: bara de första {MAX_CHARS:,} tecknen lästes".replace(",", " "))
        results[k] = pred
    return [results[k] for k in range(len(texts))]
