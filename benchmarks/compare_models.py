"""Default model vs a TF-IDF + logistic-regression baseline, side by side, in one run.

Both are trained on stamning's training corpus (data/corpus/train) and measured on the separately
written test set (data/corpus/test) and, for 3-class figures, on real Swedish tweets/YouTube comments
in ../shared/data/real-dev (evaluation only). Prints a table and writes benchmarks/results/compare_models.json.

    .venv/bin/python benchmarks/compare_models.py [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stamning.baseline import TfidfBaseline
from stamning.evaluate import probabilities
from stamning.labelled import THREE_CLASS, load_labelled
from stamning.metrics import sentiment_metrics, theme_metrics, three_class_metrics
from stamning.pipeline import load_model

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real-dev" / "swe-sentiment-dataset.csv"


def _micro_f1(pred: np.ndarray, truth: np.ndarray) -> float:
    tp = float((pred & truth).sum())
    return 2 * tp / max(1.0, 2 * tp + float((pred & ~truth).sum()) + float((~pred & truth).sum()))


def _macro_f1(pred: np.ndarray, truth: np.ndarray, classes: int) -> float:
    scores = []
    for c in range(classes):
        tp, p, t = float(((pred == c) & (truth == c)).sum()), float((pred == c).sum()), float((truth == c).sum())
        if t:
            scores.append(2 * tp / (p + t))
    return float(np.mean(scores))


def paired_bootstrap(ours: np.ndarray, theirs: np.ndarray, truth: np.ndarray, metric, rounds: int = 2000, seed: int = 0):
    """Observed difference ``metric(ours) - metric(theirs)`` and its 95 % interval over resampled comments."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(rounds):
        idx = rng.integers(0, len(truth), len(truth))
        diffs.append(metric(ours[idx], truth[idx]) - metric(theirs[idx], truth[idx]))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return {"difference": metric(ours, truth) - metric(theirs, truth), "ci95": [float(low), float(high)],
            "p_not_better": float(np.mean(np.array(diffs) <= 0))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    ap.add_argument("--write-card", action="store_true",
                    help="add the test and real-text figures (and the baseline's) to the model's metrics.json and card")
    args = ap.parse_args()
    model = load_model(args.model)
    keys = model.config.theme_keys
    train = load_labelled(ROOT / "data/corpus/train", theme_keys=keys)
    test = load_labelled(ROOT / "data/corpus/test", theme_keys=keys)
    start = time.perf_counter()
    base = TfidfBaseline().fit(train)
    print(f"baseline trained on {len(train)} comments in {time.perf_counter() - start:.1f} s")
    results: dict = {"test": {}, "real": {}}
    sent, themes, _ = probabilities(model, test.texts)
    thresholds = np.array(model.config.theme_thresholds)
    results["test"]["stamning"] = {"sentiment": sentiment_metrics(sent, test.sentiment),
                                   "themes": theme_metrics(themes, test.themes, keys, thresholds)}
    bs, bt = base.sentiment_proba(test.texts), base.theme_proba(test.texts)
    results["test"]["tfidf"] = {"sentiment": sentiment_metrics(bs, test.sentiment),
                                "themes": theme_metrics(bt, test.themes, keys, np.full(len(keys), 0.5))}
    truth_themes = test.themes.astype(bool)
    results["test"]["difference"] = {
        "sentiment_macro_f1": paired_bootstrap(sent.argmax(1), bs.argmax(1), test.sentiment,
                                               lambda p, t: _macro_f1(p, t, 5)),
        "theme_micro_f1": paired_bootstrap(themes >= thresholds, bt >= 0.5, truth_themes, _micro_f1),
    }
    if REAL.is_file():
        real = pd.read_csv(REAL)
        real = real[real["label"].isin(list(THREE_CLASS))]
        labels = np.array([list(THREE_CLASS).index(v) for v in real["label"]])
        texts = real["text"].astype(str).tolist()
        real_ours, real_base = probabilities(model, texts)[0], base.sentiment_proba(texts)
        results["real"]["stamning"] = three_class_metrics(real_ours, labels)
        results["real"]["tfidf"] = three_class_metrics(real_base, labels)
        to3 = lambda p: np.stack([p[:, :2].sum(1), p[:, 2], p[:, 3:].sum(1)], 1).argmax(1)  # noqa: E731
        results["real"]["difference"] = {"macro_f1": paired_bootstrap(to3(real_ours), to3(real_base), labels,
                                                                      lambda p, t: _macro_f1(p, t, 3))}
    else:
        print(f"skipping the real-text check: {REAL} not found")
    print(f"\n{'':10} {'test acc':>9} {'macro-F1':>9} {'MAE':>6} {'MCC':>6} {'3cl acc':>8} {'themes µF1':>11} "
          f"{'real 3cl acc':>13} {'real macro-F1':>14}")
    for name in ("stamning", "tfidf"):
        s = results["test"][name]["sentiment"]
        r = results["real"].get(name, {})
        print(f"{name:10} {s['accuracy']:9.3f} {s['macro_f1']:9.3f} {s['mae']:6.3f} {s['mcc']:6.3f} "
              f"{s['three_class']['accuracy']:8.3f} {results['test'][name]['themes']['micro_f1']:11.3f} "
              f"{r.get('accuracy', float('nan')):13.3f} {r.get('macro_f1', float('nan')):14.3f}")
    st, tf = results["test"]["stamning"]["sentiment"], results["test"]["tfidf"]["sentiment"]
    print(f"\nratio stamning / tfidf on the test set: macro-F1 {st['macro_f1'] / tf['macro_f1']:.2f}x")
    if results["real"]:
        print(f"ratio on real text (3-class macro-F1): {results['real']['stamning']['macro_f1'] / results['real']['tfidf']['macro_f1']:.2f}x")
    for name, d in list(results["test"]["difference"].items()) + [("real 3-class macro_f1", results["real"].get("difference", {}).get("macro_f1"))]:
        if d:
            print(f"difference stamning - tfidf, {name}: {d['difference']:+.3f} (95 % bootstrap interval "
                  f"{d['ci95'][0]:+.3f} … {d['ci95'][1]:+.3f}; share of resamples where stamning is not better {d['p_not_better']:.3f})")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "compare_models.json").write_text(json.dumps(results, indent=2), "utf-8")
    if args.write_card:
        write_card(Path(args.model) if args.model else None, model, results)


def write_card(directory, model, results) -> None:
    from stamning.card import model_card
    from stamning.pipeline import default_model_dir

    directory = directory or default_model_dir()
    metrics = json.loads((directory / "metrics.json").read_text("utf-8"))
    metrics["test (data/corpus/test)"] = results["test"]["stamning"]
    metrics["test, TF-IDF baseline"] = results["test"]["tfidf"]
    if results["real"]:
        metrics["real tweets/YouTube (3 classes)"] = {"three_class": results["real"]["stamning"]}
        metrics["real, TF-IDF baseline"] = {"three_class": results["real"]["tfidf"]}
    metrics["stamning minus TF-IDF, paired bootstrap"] = {
        "test": results["test"]["difference"], "real": results["real"].get("difference", {})}
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (directory / "README.md").write_text(model_card(model.config, metrics), "utf-8")
    print(f"updated {directory / 'README.md'} and metrics.json")


if __name__ == "__main__":
    main()
