"""``mixed`` detection: clause sentiment read from the comment's own encoder pass (stamning's method)
vs every clause encoded again on its own (the earlier two-pass method, P >= 0.6).

Sets from the corpus: (A) real comments with two or more clauses, for agreement with the two-pass
flags; (B) labelled pairs: a clearly positive and a clearly negative short comment joined into one
(mixed) or two of the same polarity (not mixed), for precision and recall. Pairs from the training
split choose the one-pass threshold (the sweep is printed), pairs from the test split measure it.

    cd benchmarks && python mixed_eval.py [--n 300] [--pairs 100]
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np

from _common import ROOT, corpus_texts
from stamning.encoders.segments import clause_spans, part_offsets, plan_segments
from stamning.model import inference
from stamning.model.loading import load_model
from stamning.text import normalize

POSITIVE, NEGATIVE = ("positiv", "mycket_positiv"), ("negativ", "mycket_negativ")
TWO_PASS_CLEAR = 0.6
SWEEP = (0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.6)


def two_pass(model, texts: list[str]) -> tuple[np.ndarray, float]:
    """The earlier method: every clause of a multi-clause comment classified again on its own."""
    start = time.perf_counter()
    clean = [normalize(t) for t in texts]
    spans = [clause_spans(t) for t in clean]
    clauses = [t[a:b] for t, sp in zip(clean, spans) for a, b in (sp if len(sp) >= 2 else [])]
    preds = iter(model.predict(clauses, detect_mixed=False))
    flags = []
    for sp in spans:
        probs = [next(preds).probabilities for _ in sp] if len(sp) >= 2 else []
        pos = any(p["positiv"] + p["mycket_positiv"] >= TWO_PASS_CLEAR for p in probs)
        neg = any(p["negativ"] + p["mycket_negativ"] >= TWO_PASS_CLEAR for p in probs)
        flags.append(pos and neg)
    return np.array(flags), time.perf_counter() - start


def one_pass_scores(model, texts: list[str]) -> np.ndarray:
    """Per comment: min(max clause P(pos), max clause P(neg)) from the comment's own pass; mixed when
    it reaches the threshold (0 for comments with fewer than two clauses)."""
    segs = plan_segments(
        [normalize(t) for t in texts], model.tokenizer, model.config.max_length, model.config.input_prefix, True
    )
    _, _, parts = inference.run_segments(model, segs, 32, inference.resolve_precision("auto", "cpu"), "cpu")
    first, score = part_offsets(segs), np.zeros(len(texts))
    by_comment: dict[int, list[np.ndarray]] = {}
    for j, seg in enumerate(segs):
        by_comment.setdefault(seg.comment, []).append(parts[first[j] : first[j + 1]])
    for i, rows in by_comment.items():
        p = np.concatenate(rows)
        if len(p):
            score[i] = min(p[:, 3:].sum(1).max(), p[:, :2].sum(1).max())
    return score


def labelled_pairs(split: str, n: int, seed: int) -> tuple[list[str], np.ndarray]:
    pattern = "test/test_[ab].jsonl" if split == "test" else "train/*.jsonl"
    rows = [
        json.loads(line)
        for f in sorted((ROOT / "data" / "corpus").glob(pattern))
        for line in f.read_text("utf-8").splitlines()
        if line.strip()
    ]
    short = [r for r in rows if len(r["text"].split()) <= 30]
    pos = [r["text"] for r in short if r["sentiment"] in POSITIVE]
    neg = [r["text"] for r in short if r["sentiment"] in NEGATIVE]
    rng = random.Random(seed)

    def join(a, b):
        return a.rstrip() + ("" if a.rstrip()[-1:] in ".!?" else ".") + " " + b

    texts, gold = [], []
    for _ in range(n):
        a, b = rng.choice(pos), rng.choice(neg)
        texts.append(join(a, b) if rng.random() < 0.5 else join(b, a))
        same = pos if rng.random() < 0.5 else neg
        texts.append(join(rng.choice(same), rng.choice(same)))
        gold += [True, False]
    return texts, np.array(gold)


def pr(flags: np.ndarray, gold: np.ndarray) -> str:
    tp = int((flags & gold).sum())
    p, r = tp / max(1, int(flags.sum())), tp / max(1, int(gold.sum()))
    return f"P {p:.2f} R {r:.2f} F1 {2 * p * r / max(1e-9, p + r):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pairs", type=int, default=100)
    args = ap.parse_args()
    model = load_model(None)
    multi = [t for t in corpus_texts() if len(clause_spans(normalize(t))) >= 2]
    real = random.Random(5).sample(multi, min(args.n, len(multi)))
    train_texts, train_gold = labelled_pairs("train", args.pairs, 11)
    test_texts, test_gold = labelled_pairs("test", args.pairs, 3)
    ref_real, t_real = two_pass(model, real)
    ref_test, t_test = two_pass(model, test_texts)
    print(
        f"two-pass: real multi-clause n={len(real)} flags {int(ref_real.sum())} ({t_real:.1f} s extra encoding); "
        f"test pairs n={len(test_texts)} {pr(ref_test, test_gold)} ({t_test:.1f} s extra)"
    )
    s_real, s_train, s_test = (one_pass_scores(model, t) for t in (real, train_texts, test_texts))
    for t in SWEEP:
        mark = "  <- MIXED_MIN" if t == inference.MIXED_MIN else ""
        print(
            f"one-pass >= {t:.2f}: train pairs {pr(s_train >= t, train_gold)} | test pairs {pr(s_test >= t, test_gold)} | "
            f"real flags {int((s_real >= t).sum())}, agreement with two-pass {np.mean((s_real >= t) == ref_real):.1%}{mark}",
            flush=True,
        )


if __name__ == "__main__":
    main()
