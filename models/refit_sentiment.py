"""Refit the default model's sentiment side on its fixed encoder (step 2 of models/train_default.sh).

Reads the model that `stamning train` wrote, the same training/validation split it used (seeded,
stratified), the extra hand-written comments in data/corpus/extra, and refits the sentiment head on the
training part + extra comments + one label-preserving noisy variant of each (stamning.training.augment); then fits
the temperature (and, with --lexical, a lexical sentiment blend) on the validation part. Writes the model
back in place with the report in metrics.json under "sentiment_refit".

    .venv/bin/python models/refit_sentiment.py --model src/stamning/resources/default_model
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from stamning.model.classifier import StamningModel
from stamning.training.augment import AugmentConfig
from stamning.training.labelled import load_labelled
from stamning.training.loss import split
from stamning.training.metrics import sentiment_metrics
from stamning.training.refit import RefitConfig, calibrate_only, refit_sentiment

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--model", type=Path, required=True, help="model directory to refit (written back in place, or to --output)"
    )
    ap.add_argument("--output", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=ROOT / "data/corpus/train")
    ap.add_argument("--extra", default=str(ROOT / "data/corpus/extra"), help="extra training comments ('' for none)")
    ap.add_argument("--copies", type=int, default=1, help="noisy variants per training comment")
    ap.add_argument(
        "--lexical", action="store_true", help="also blend a lexical sentiment model (weight chosen on validation)"
    )
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument(
        "--best-epoch", action="store_true", help="keep the epoch with the best validation macro-F1 (default: the last)"
    )
    ap.add_argument(
        "--calibrate-only",
        action="store_true",
        help="only fit the temperature on the validation part and write it into config.json (weights untouched)",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # the refit's progress lines on stderr
    start = time.perf_counter()
    model = StamningModel.from_pretrained(args.model)
    metrics = json.loads((args.model / "metrics.json").read_text("utf-8"))
    tc = metrics["train_config"]
    data = load_labelled(args.data, theme_keys=model.config.theme_keys)
    train_idx, val_idx = split(data, tc["validation_fraction"], tc["seed"])
    if args.calibrate_only:
        report = calibrate_only(model, data.subset(val_idx))
        model.config.save(args.model)
        metrics["validation"]["sentiment"] = report.pop("validation_sentiment")
        metrics["calibration"] = report
        (args.model / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return
    extra = load_labelled(args.extra, theme_keys=model.config.theme_keys) if args.extra else None
    config = RefitConfig(
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        keep_best_epoch=args.best_epoch,
        augment=AugmentConfig(copies=args.copies, seed=tc["seed"]),
        lexical=args.lexical,
        seed=tc["seed"],
    )
    report = refit_sentiment(model, data.subset(train_idx), data.subset(val_idx), extra, config)
    report["extra"] = {"source": args.extra or None, "comments": len(extra) if extra is not None else 0}
    report["seconds"] = round(time.perf_counter() - start, 1)
    out = model.save_pretrained(args.output or args.model)
    val = data.subset(val_idx)
    metrics["validation"]["sentiment"] = sentiment_metrics(
        model.predict_proba(val.texts, batch_size=64)[0], val.sentiment
    )
    metrics["sentiment_refit"] = report
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
