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


def model_probs(model, texts):
    sent, themes, _ = probabilities(model, texts)
    return sent, themes


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
    sent, themes = model_probs(model, test.texts)
    thresholds = np.array(model.config.theme_thresholds)
    results["test"]["stamning"] = {"sentiment": sentiment_metrics(sent, test.sentiment),
                                   "themes": theme_metrics(themes, test.themes, keys, thresholds)}
    bs, bt = base.sentiment_proba(test.texts), base.theme_proba(test.texts)
    results["test"]["tfidf"] = {"sentiment": sentiment_metrics(bs, test.sentiment),
                                "themes": theme_metrics(bt, test.themes, keys, np.full(len(keys), 0.5))}
    if REAL.is_file():
        real = pd.read_csv(REAL)
        real = real[real["label"].isin(list(THREE_CLASS))]
        labels = np.array([list(THREE_CLASS).index(v) for v in real["label"]])
        texts = real["text"].astype(str).tolist()
        results["real"]["stamning"] = three_class_metrics(model_probs(model, texts)[0], labels)
        results["real"]["tfidf"] = three_class_metrics(base.sentiment_proba(texts), labels)
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
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (directory / "README.md").write_text(model_card(model.config, metrics), "utf-8")
    print(f"updated {directory / 'README.md'} and metrics.json")


if __name__ == "__main__":
    main()
