"""Models side by side on the held-out "middle" test set (data/corpus/middle/middle.jsonl).

The third writing round (x3) covers where real comments are hard: lukewarm verdicts, mild criticism without
negative words, rhetorical versus informational questions, slang, neutral everyday posts with emoji, praise or
criticism carried by a noun or idiom, irony, negation and hedging. A seeded 10 % of it (stratified by source and
level) was held out by data/corpus/import_round.py and is never trained on. This prints, for the reference model
(the default, or ``--model DIR``) and each ``--candidate NAME=DIR``: 5-level accuracy, macro-F1 and within-one,
3-class accuracy and macro-F1, and each candidate's difference to the reference with a paired-bootstrap 95 %
interval, through ``model.predict`` (the path users run). Results: benchmarks/results/middle_set.json.

    .venv/bin/python benchmarks/middle_set.py [--model DIR] [--candidate NAME=DIR ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from compare_models import MIDDLE, _accuracy, _macro_f1, paired_bootstrap
from stamning.model.loading import load_model
from stamning.training.evaluate import probabilities
from stamning.training.labelled import load_labelled
from stamning.training.metrics import THREE

ROOT = Path(__file__).resolve().parents[1]


def figures(pred: np.ndarray, truth: np.ndarray) -> dict:
    return {
        "accuracy": _accuracy(pred, truth),
        "macro_f1": _macro_f1(pred, truth, 5),
        "within_one": float((np.abs(pred - truth) <= 1).mean()),
        "three_class_accuracy": _accuracy(THREE[pred], THREE[truth]),
        "three_class_macro_f1": _macro_f1(THREE[pred], THREE[truth], 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="reference model directory (default: the embedded default model)")
    ap.add_argument("--candidate", action="append", default=[], metavar="NAME=DIR")
    ap.add_argument("--data", type=Path, default=MIDDLE)
    args = ap.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"{args.data} not found: the middle set is written by data/corpus/import_round.py")
    named = [("reference", args.model)] + [tuple(c.split("=", 1)) for c in args.candidate]
    data, preds, results = None, {}, {"set": str(args.data), "models": {}, "differences": {}}
    for name, directory in named:
        model = load_model(directory)
        data = data or load_labelled(args.data, theme_keys=model.config.theme_keys)
        preds[name] = probabilities(model, data.texts)[0].argmax(1)
        results["models"][name] = figures(preds[name], data.sentiment) | {"directory": directory or "default model"}
    truth = data.sentiment
    for name in preds:
        if name != "reference":
            results["differences"][name] = {
                "macro_f1": paired_bootstrap(preds[name], preds["reference"], truth, lambda p, t: _macro_f1(p, t, 5)),
                "three_class_macro_f1": paired_bootstrap(
                    THREE[preds[name]], THREE[preds["reference"]], THREE[truth], lambda p, t: _macro_f1(p, t, 3)
                ),
            }
    results["n"] = len(truth)
    print(f"middle set: {len(truth)} comments, levels {np.bincount(truth, minlength=5).tolist()}")
    print(f"{'model':14} {'acc':>6} {'mF1':>6} {'±1':>6} {'3cl acc':>8} {'3cl mF1':>8}")
    for name, r in results["models"].items():
        print(
            f"{name:14} {r['accuracy']:6.3f} {r['macro_f1']:6.3f} {r['within_one']:6.3f} "
            f"{r['three_class_accuracy']:8.3f} {r['three_class_macro_f1']:8.3f}"
        )
    for name, d in results["differences"].items():
        for key, v in d.items():
            low, high = v["ci95"]
            print(f"{name} − reference, {key}: {100 * v['difference']:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}]")
    out = ROOT / "benchmarks/results/middle_set.json"
    out.write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
