"""``mixed`` detection: clause sentiment from the comment's own encoder pass vs each clause encoded again.

Two sets from the corpus: (A) real comments with two or more clauses (agreement of the flags with the
two-pass method), and (B) labelled pairs: a clearly positive and a clearly negative test comment joined
into one comment (mixed), or two of the same polarity (not mixed), for precision and recall.

    .venv/bin/python benchmarks/mixed_eval.py [--n 300] [--pairs 100]
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np

from _common import ROOT, corpus_texts
import stamning.inference as inference
from stamning.pipeline import load_model
from stamning.segments import clause_spans
from stamning.text import normalize

POSITIVE, NEGATIVE = ("positiv", "mycket_positiv"), ("negativ", "mycket_negativ")


def two_pass(model, texts: list[str]) -> tuple[list[bool], float]:
    """The earlier method: every clause of a multi-clause comment classified again on its own."""
    start = time.perf_counter()
    spans = [clause_spans(normalize(t)) for t in texts]
    clauses = [normalize(t)[a:b] for t, sp in zip(texts, spans) for a, b in (sp if len(sp) >= 2 else [])]
    preds = iter(model.predict(clauses, detect_mixed=False))
    flags = []
    for sp in spans:
        if len(sp) < 2:
            flags.append(False)
            continue
        probs = [next(preds).probabilities for _ in sp]
        pos = [p["positiv"] + p["mycket_positiv"] >= inference.CLEAR for p in probs]
        neg = [p["negativ"] + p["mycket_negativ"] >= inference.CLEAR for p in probs]
        flags.append(any(pos) and any(neg))
    return flags, time.perf_counter() - start


def one_pass(model, texts: list[str], framed: bool) -> tuple[list[bool], float]:
    inference.FRAME_PARTS = framed
    start = time.perf_counter()
    flags = [p.mixed for p in model.predict(texts)]
    return flags, time.perf_counter() - start


def labelled_pairs(n: int, seed: int = 3) -> tuple[list[str], list[bool]]:
    rows = [json.loads(line) for f in sorted((ROOT / "data" / "corpus" / "test").glob("test_[ab].jsonl"))
            for line in f.read_text("utf-8").splitlines() if line.strip()]
    short = [r for r in rows if len(r["text"].split()) <= 30]
    pos = [r["text"] for r in short if r["sentiment"] in POSITIVE]
    neg = [r["text"] for r in short if r["sentiment"] in NEGATIVE]
    rng = random.Random(seed)
    join = lambda a, b: a.rstrip() + ("" if a.rstrip()[-1:] in ".!?" else ".") + " " + b
    texts, gold = [], []
    for _ in range(n):
        a, b = rng.choice(pos), rng.choice(neg)
        texts.append(join(*((a, b) if rng.random() < 0.5 else (b, a))))
        gold.append(True)
        same = pos if rng.random() < 0.5 else neg
        texts.append(join(rng.choice(same), rng.choice(same)))
        gold.append(False)
    return texts, gold


def precision_recall(flags: list[bool], gold: list[bool]) -> tuple[float, float]:
    tp = sum(f and g for f, g in zip(flags, gold))
    return tp / max(1, sum(flags)), tp / max(1, sum(gold))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pairs", type=int, default=100)
    args = ap.parse_args()
    model = load_model(None)
    rng = random.Random(5)
    multi = [t for t in corpus_texts() if len(clause_spans(normalize(t))) >= 2]
    real = rng.sample(multi, min(args.n, len(multi)))
    paired, gold = labelled_pairs(args.pairs)
    for name, texts in (("real multi-clause", real), ("labelled pairs", paired)):
        ref, t_ref = two_pass(model, texts)
        line = f"{name}: n={len(texts)} two-pass flags {sum(ref)} ({t_ref:.1f} s extra)"
        if name == "labelled pairs":
            line += " P/R %.2f/%.2f" % precision_recall(ref, gold)
        for framed in (False, True):
            flags, secs = one_pass(model, texts, framed)
            agree = np.mean([a == b for a, b in zip(flags, ref)])
            line += f" | one-pass{' framed' if framed else ''}: flags {sum(flags)}, agreement {agree:.1%}"
            if name == "labelled pairs":
                line += " P/R %.2f/%.2f" % precision_recall(flags, gold)
        print(line, flush=True)


if __name__ == "__main__":
    main()
