"""Every candidate model side by side on the own test set and on real text, against a reference model.

The reference is the default model (or ``--model DIR``); each ``--candidate NAME=DIR`` is another model
directory; a TF-IDF + logistic-regression baseline trained on data/corpus/train is always added. Each is
measured on the separately written test set (data/corpus/test without real_style.jsonl: 5 levels, 3 classes,
themes, calibration, score-by-intensity), on the held-out comments of the second writing round in the
registers real users bring (data/corpus/test/real_style.jsonl, never trained on) and on real Swedish
tweets/YouTube comments (../shared/data/real-dev, 3 classes:
mycket_negativ/negativ → neg, neutral → neu, positiv/mycket_positiv → pos). The real set is for
evaluation only: nothing here trains, tunes or picks on it. For every candidate the difference to the
reference comes with a paired-bootstrap 95 % interval (comments resampled, both models on the same draw).

Every model runs its own prediction path (`model.predict`, as `classify` does), so the figures are those
of the path users run (about 15 s for the 3,000 texts per model on 2 cores).

    .venv/bin/python benchmarks/compare_models.py [--model DIR] [--candidate NAME=DIR ...] [--real CSV]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from stamning.model.loading import load_model
from stamning.training.baseline import TfidfBaseline
from stamning.training.evaluate import probabilities
from stamning.training.labelled import THREE_CLASS, load_labelled
from stamning.training.metrics import (
    THREE,
    expected_calibration_error,
    sentiment_metrics,
    theme_metrics,
    three_class_metrics,
)

ROOT = Path(__file__).resolve().parents[1]
# ../shared next to the checkout (a git worktree under ../wt/NAME: two levels up)
REAL = next(
    (p for p in (d / "shared/data/real-dev/swe-sentiment-dataset.csv" for d in ROOT.parents[:2]) if p.is_file()),
    ROOT.parent / "shared/data/real-dev/swe-sentiment-dataset.csv",
)
VALUES = np.array([-2, -1, 0, 1, 2], dtype=float)


# ---------------------------------------------------------------------------- metrics and bootstrap
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


def _accuracy(pred: np.ndarray, truth: np.ndarray) -> float:
    return float((pred == truth).mean())


def paired_bootstrap(
    ours: np.ndarray, theirs: np.ndarray, truth: np.ndarray, metric, rounds: int = 2000, seed: int = 0
):
    """Observed difference ``metric(ours) - metric(theirs)`` and its 95 % interval over resampled comments."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(rounds):
        idx = rng.integers(0, len(truth), len(truth))
        diffs.append(metric(ours[idx], truth[idx]) - metric(theirs[idx], truth[idx]))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return {
        "difference": metric(ours, truth) - metric(theirs, truth),
        "ci95": [float(low), float(high)],
        "p_not_better": float(np.mean(np.array(diffs) <= 0)),
    }


def to_three(probs: np.ndarray) -> np.ndarray:
    return np.stack([probs[:, :2].sum(1), probs[:, 2], probs[:, 3:].sum(1)], 1)


def intensity(probs: np.ndarray, levels: np.ndarray) -> dict:
    """Does the score (expected value on −2…+2) grow with the labelled intensity? Mean |score| per level
    and the rank correlation of score and level."""
    from scipy.stats import spearmanr

    score = probs @ VALUES
    names = ("mycket_negativ", "negativ", "neutral", "positiv", "mycket_positiv")
    return {
        "mean_abs_score": {
            n: float(np.abs(score[levels == i]).mean()) for i, n in enumerate(names) if (levels == i).any()
        },
        "mean_score": {n: float(score[levels == i].mean()) for i, n in enumerate(names) if (levels == i).any()},
        "spearman": float(spearmanr(score, levels).statistic),
    }


# ---------------------------------------------------------------------------- measuring
REAL_STYLE = "real_style.jsonl"
MIDDLE = ROOT / "data/corpus/middle/middle.jsonl"  # the third round's held-out set (benchmarks/middle_set.py)


def read_tests(keys: list[str]):
    """The own test set (every test file but real_style.jsonl) and the real_style test set."""
    folder = ROOT / "data/corpus/test"
    both = load_labelled(folder, theme_keys=keys)
    style = load_labelled(folder / REAL_STYLE, theme_keys=keys) if (folder / REAL_STYLE).is_file() else None
    held = set(style.ids) if style is not None else set()
    return both.subset([i for i, x in enumerate(both.ids) if x not in held]), style


def measure(
    name: str, sent: np.ndarray, themes: np.ndarray | None, thresholds, test, real_probs, real_labels, keys, style=None
) -> dict:
    out = {"sentiment": sentiment_metrics(sent, test.sentiment), "intensity": intensity(sent, test.sentiment)}
    if themes is not None:
        out["themes"] = theme_metrics(themes, test.themes, keys, thresholds)
    if style is not None:
        data, s_sent, s_themes = style
        out["real_style"] = {
            "sentiment": sentiment_metrics(s_sent, data.sentiment),
            "intensity": intensity(s_sent, data.sentiment),
        }
        if s_themes is not None:
            out["real_style"]["themes"] = theme_metrics(s_themes, data.themes, keys, thresholds)
    if real_probs is not None:
        out["real"] = three_class_metrics(real_probs, real_labels)
        out["real"]["ece"] = expected_calibration_error(to_three(real_probs), real_labels)
        # what users see: the five-level label (the most probable level), mapped to three classes
        seen = THREE[real_probs.argmax(1)]
        out["real"]["from_labels"] = {
            "accuracy": _accuracy(seen, real_labels),
            "macro_f1": _macro_f1(seen, real_labels, 3),
        }
    out["_pred"] = {
        "test": sent.argmax(1),
        "real": None if real_probs is None else to_three(real_probs).argmax(1),
        "real_labels": None if real_probs is None else THREE[real_probs.argmax(1)],
        "themes": None if themes is None else themes >= thresholds,
        "real_style": None if style is None else style[1].argmax(1),
    }
    return out


def differences(ours: dict, ref: dict, test, real_labels, style=None) -> dict:
    d = {
        "test_macro_f1": paired_bootstrap(
            ours["_pred"]["test"], ref["_pred"]["test"], test.sentiment, lambda p, t: _macro_f1(p, t, 5)
        ),
        "test_3class_macro_f1": paired_bootstrap(
            THREE[ours["_pred"]["test"]],
            THREE[ref["_pred"]["test"]],
            THREE[test.sentiment],
            lambda p, t: _macro_f1(p, t, 3),
        ),
    }
    if ours["_pred"]["themes"] is not None:
        d["theme_micro_f1"] = paired_bootstrap(
            ours["_pred"]["themes"], ref["_pred"]["themes"], test.themes.astype(bool), _micro_f1
        )
    if style is not None:
        truth = style.sentiment
        d["real_style_macro_f1"] = paired_bootstrap(
            ours["_pred"]["real_style"], ref["_pred"]["real_style"], truth, lambda p, t: _macro_f1(p, t, 5)
        )
        d["real_style_3class_macro_f1"] = paired_bootstrap(
            THREE[ours["_pred"]["real_style"]],
            THREE[ref["_pred"]["real_style"]],
            THREE[truth],
            lambda p, t: _macro_f1(p, t, 3),
        )
    if ours["_pred"]["real"] is not None:
        d["real_macro_f1"] = paired_bootstrap(
            ours["_pred"]["real"], ref["_pred"]["real"], real_labels, lambda p, t: _macro_f1(p, t, 3)
        )
        d["real_accuracy"] = paired_bootstrap(ours["_pred"]["real"], ref["_pred"]["real"], real_labels, _accuracy)
        d["real_labels_macro_f1"] = paired_bootstrap(
            ours["_pred"]["real_labels"], ref["_pred"]["real_labels"], real_labels, lambda p, t: _macro_f1(p, t, 3)
        )
    return d


def read_real(path: Path):
    if not path.is_file():
        print(f"skipping the real-text check: {path} not found (give --real)")
        return None, None
    real = pd.read_csv(path)
    real = real[real["label"].isin(list(THREE_CLASS))]
    return real["text"].astype(str).tolist(), np.array([list(THREE_CLASS).index(v) for v in real["label"]])


def model_probs(directory, test, real_texts, style=None):
    model = load_model(directory)
    start = time.perf_counter()
    sent, themes, _ = probabilities(model, test.texts)
    real = probabilities(model, real_texts)[0] if real_texts is not None else None
    style_probs = (style, *probabilities(model, style.texts)[:2]) if style is not None else None
    print(f"{directory or 'default model'}: {time.perf_counter() - start:.0f} s")
    return model, sent, themes, real, style_probs


def print_table(results: dict) -> None:
    print(
        f"\n{'':22} {'test acc':>8} {'mF1':>6} {'ECE':>6} {'3cl mF1':>8} {'themes µF1':>10} {'|score| ρ':>9} "
        f"{'style mF1':>9} {'style 3cl':>9} {'real acc':>9} {'real mF1':>9} {'real ECE':>9} {'labels mF1':>10}"
    )
    for name, r in results["models"].items():
        s, real = r["sentiment"], r.get("real", {})
        style = r.get("real_style", {}).get(
            "sentiment", {"macro_f1": float("nan"), "three_class": {"macro_f1": float("nan")}}
        )
        print(
            f"{name:22} {s['accuracy']:8.3f} {s['macro_f1']:6.3f} {s['ece']:6.3f} {s['three_class']['macro_f1']:8.3f} "
            f"{r.get('themes', {}).get('micro_f1', float('nan')):10.3f} {r['intensity']['spearman']:9.3f} "
            f"{style['macro_f1']:9.3f} {style['three_class']['macro_f1']:9.3f} "
            f"{real.get('accuracy', float('nan')):9.3f} {real.get('macro_f1', float('nan')):9.3f} {real.get('ece', float('nan')):9.3f} "
            f"{real.get('from_labels', {}).get('macro_f1', float('nan')):10.3f}"
        )
    for name, diffs in results["differences"].items():
        for metric, d in diffs.items():
            print(
                f"{name} − {results['reference']}, {metric}: {d['difference']:+.3f} "
                f"[{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}] (share of resamples not better {d['p_not_better']:.3f})"
            )


def side_by_side(results: dict) -> str:
    """The comparison as a card section: every model's figures and its differences to this model."""
    pct = lambda x: f"{100 * x:.1f}"  # noqa: E731
    lines = [
        "",
        "## Side by side (own test set and real text)",
        "",
        f"`{' '.join(['benchmarks/compare_models.py'] + sys.argv[1:])}`; real text: `{Path(results['real_set']).name}` "
        "(../shared/data/real-dev, evaluation only, 3 classes). Score ρ: rank correlation of the score with the "
        "labelled level on the test set; ECE: expected calibration error (10 bins). real_style: "
        "data/corpus/test/real_style.jsonl (held out from the second writing round, never trained on). Real accuracy "
        "and macro-F1 sum each side's probabilities; 'from labels' maps the five-level label users see instead.",
        "",
        "| model | test macro-F1 | test ECE | test 3-class macro-F1 | theme micro-F1 | score ρ | real_style macro-F1 "
        "| real_style 3-class macro-F1 | real_style theme micro-F1 | real accuracy | real macro-F1 | real ECE "
        "| real accuracy, from labels | real macro-F1, from labels |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results["models"].items():
        s, real, themes = r["sentiment"], r.get("real"), r.get("themes")
        real_ece = f"{real['ece']:.3f}" if real else "–"
        seen = real.get("from_labels") if real else None
        seen_cells = f"{pct(seen['accuracy'])} | {pct(seen['macro_f1'])}" if seen else "– | –"
        style = r.get("real_style")
        style_cells = (
            f"{pct(style['sentiment']['macro_f1'])} | {pct(style['sentiment']['three_class']['macro_f1'])} | "
            f"{pct(style['themes']['micro_f1']) if 'themes' in style else '–'}"
            if style
            else "– | – | –"
        )
        lines.append(
            f"| {'this model' if name == 'reference' else name} | {pct(s['macro_f1'])} | {s['ece']:.3f} | "
            f"{pct(s['three_class']['macro_f1'])} | {pct(themes['micro_f1']) if themes else '–'} | "
            f"{r['intensity']['spearman']:.3f} | {style_cells} | {pct(real['accuracy']) if real else '–'} | "
            f"{pct(real['macro_f1']) if real else '–'} | {real_ece} | {seen_cells} |"
        )
    mean_abs = results["models"]["reference"]["intensity"]["mean_abs_score"]
    lines += [
        "",
        "Score by intensity (this model, test set): mean |score| per labelled level "
        + ", ".join(f"{k} {v:.2f}" for k, v in mean_abs.items())
        + ".",
    ]
    lines += ["", "Differences to this model (percentage points, paired bootstrap 95 % interval):", ""]
    for name, diffs in results["differences"].items():
        parts = [
            f"{metric} {100 * d['difference']:+.1f} [{100 * d['ci95'][0]:+.1f}, {100 * d['ci95'][1]:+.1f}]"
            for metric, d in diffs.items()
        ]
        lines.append(f"- {name}: " + "; ".join(parts))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="reference model directory (default: the embedded default model)")
    ap.add_argument(
        "--candidate", action="append", default=[], metavar="NAME=DIR", help="another model directory to compare"
    )
    ap.add_argument("--real", type=Path, default=REAL, help="real-text CSV with text,label (neg/neu/pos)")
    ap.add_argument(
        "--write-card",
        action="store_true",
        help="add the test and real-text figures (and the baseline's) to the reference model's metrics.json and card",
    )
    args = ap.parse_args()
    real_texts, real_labels = read_real(args.real)
    named = [("reference", args.model)] + [tuple(c.split("=", 1)) for c in args.candidate]
    results: dict = {"reference": "reference", "models": {}, "differences": {}, "real_set": str(args.real)}
    test = None
    for name, directory in named:
        if test is None:
            keys = load_model(directory).config.theme_keys
            test, style = read_tests(keys)
        model, sent, themes, real, style_probs = model_probs(directory, test, real_texts, style)
        results["models"][name] = measure(
            name, sent, themes, np.array(model.config.theme_thresholds), test, real, real_labels, keys, style_probs
        )
        results["models"][name]["temperature"] = model.config.sentiment_temperature
        results["models"][name]["lexical_sentiment_weight"] = model.config.lexical_sentiment_weight
        if name == "reference":
            reference_model = model
    base = TfidfBaseline().fit(load_labelled(ROOT / "data/corpus/train", theme_keys=keys))
    results["models"]["tfidf"] = measure(
        "tfidf",
        base.sentiment_proba(test.texts),
        base.theme_proba(test.texts),
        np.full(len(keys), 0.5),
        test,
        None if real_texts is None else base.sentiment_proba(real_texts),
        real_labels,
        keys,
        None if style is None else (style, base.sentiment_proba(style.texts), base.theme_proba(style.texts)),
    )
    for name, r in results["models"].items():
        if name != "reference":
            results["differences"][name] = differences(r, results["models"]["reference"], test, real_labels, style)
    for r in results["models"].values():
        r.pop("_pred")
    print_table(results)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "compare_models.json").write_text(json.dumps(results, indent=2), "utf-8")
    if args.write_card:
        write_card(Path(args.model) if args.model else None, reference_model, results)


def write_card(directory, model, results) -> None:
    from stamning.model.card import model_card
    from stamning.model.loading import default_model_dir

    directory = directory or default_model_dir()
    metrics = json.loads((directory / "metrics.json").read_text("utf-8"))
    ref, base = results["models"]["reference"], results["models"]["tfidf"]
    metrics["test (data/corpus/test)"] = {k: ref[k] for k in ("sentiment", "themes", "intensity")}
    metrics["test, TF-IDF baseline"] = {k: base[k] for k in ("sentiment", "themes")}
    if "real_style" in ref:
        metrics["test, real_style (data/corpus/test/real_style.jsonl)"] = ref["real_style"]
        metrics["test, real_style, TF-IDF baseline"] = base["real_style"]
    if "real" in ref:
        metrics["real tweets/YouTube (3 classes)"] = {"three_class": ref["real"]}
        metrics["real, TF-IDF baseline"] = {"three_class": base["real"]}
    if MIDDLE.is_file():  # benchmarks/middle_set.py compares models on it
        data = load_labelled(MIDDLE, theme_keys=model.config.theme_keys)
        sent, themes, _ = probabilities(model, data.texts)
        metrics["test, middle (data/corpus/middle/middle.jsonl)"] = {
            "sentiment": sentiment_metrics(sent, data.sentiment),
            "themes": theme_metrics(
                themes, data.themes, model.config.theme_keys, np.array(model.config.theme_thresholds)
            ),
        }
    metrics.pop("stamning minus TF-IDF, paired bootstrap", None)
    metrics["compared (benchmarks/compare_models.py)"] = {k: v for k, v in results.items() if k != "models"}
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (directory / "README.md").write_text(model_card(model.config, metrics) + side_by_side(results), "utf-8")
    print(f"updated {directory / 'README.md'} and metrics.json")


if __name__ == "__main__":
    main()
