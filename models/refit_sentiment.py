"""Refit the default model's heads on its fixed encoder (steps 1 and 2 of models/train_default.sh).

With ``--themes --validation FILE`` (what train_default.sh runs): both heads are refitted on every comment
of ``--data`` plus one label-preserving noisy variant of each (models/heads.py), the lexical theme model
is refitted on the training comments, theme thresholds and the temperature are fitted on FILE.
Without ``--themes`` (the previous default's step 2, kept for comparison):

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
import sys
import time
from pathlib import Path

import numpy as np
import torch

from stamning.model.classifier import StamningModel
from stamning.training.augment import EXPORTED, SOCIAL, TOPICAL, WRITTEN, AugmentConfig
from stamning.training.labelled import load_labelled
from stamning.training.loss import split
from stamning.training.metrics import sentiment_metrics
from stamning.training.refit import RefitConfig, calibrate_only, refit_sentiment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # models/heads.py


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
    ap.add_argument("--validation", type=Path, default=None, help="fixed validation file (else the seeded split)")
    ap.add_argument("--themes", action="store_true", help="refit the theme head and lexical theme model as well")
    ap.add_argument("--theme-epochs", type=int, default=60)
    ap.add_argument("--cache", type=Path, default=None, help="with --themes: save the embeddings here")
    ap.add_argument("--max-length", type=int, default=0, help="with --themes: tokens per chunk from now on (0: keep)")
    ap.add_argument("--noisy", type=int, default=3000, help="with --themes: training comments given noisy variants")
    ap.add_argument(
        "--noisy-validation",
        action="store_true",
        help="with --themes: choose the sentiment recipe and fit the temperature on the validation comments plus one "
        "noisy variant of each (what phone-typed comments look like), not on the written comments alone",
    )
    ap.add_argument(
        "--social",
        action="store_true",
        help="the noisy variants (training and validation) may also carry what social-media replies add: "
        "@handles, a topical hashtag, a link (stamning.training.augment.SOCIAL)",
    )
    ap.add_argument(
        "--lost-emoji",
        action="store_true",
        help="the noisy variants may also end in '?', as a cp1252 export writes an emoji "
        "(stamning.training.augment.EXPORTED)",
    )
    ap.add_argument(
        "--topic-emoji",
        action="store_true",
        help="the noisy variants may also end in an emoji without opinion, and neutral's emoji may be one "
        "(stamning.training.augment.TOPICAL)",
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
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (1: on the shared 2-core build machine one thread embedded 300 comments in 17 s, two in 29 s)",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # the refit's progress lines on stderr
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = StamningModel.from_pretrained(args.model)
    metrics = json.loads((args.model / "metrics.json").read_text("utf-8"))
    tc = metrics["train_config"]
    data = load_labelled(args.data, theme_keys=model.config.theme_keys)
    if args.themes:
        return refit_both(model, metrics, args, start)
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
        augment=AugmentConfig(
            copies=args.copies,
            seed=tc["seed"],
            noises=noise_set(args),
        ),
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


def noise_set(args) -> tuple:
    """The noises the variants may carry: the written ones, plus --social's, --lost-emoji's or --topic-emoji's (one)."""
    if args.social + args.lost_emoji + args.topic_emoji > 1:
        raise SystemExit("--social, --lost-emoji and --topic-emoji are candidates' noise sets; give one")
    return SOCIAL if args.social else EXPORTED if args.lost_emoji else TOPICAL if args.topic_emoji else WRITTEN


GRID = (
    ("train", 10),
    ("train", 30),
    ("train+noisy", 10),
    ("train+noisy", 30),
    ("train+extra+noisy", 10),
    ("train+extra+noisy", 30),
)


def embed_all(
    model,
    train,
    extra,
    val,
    seed: int,
    copies: int,
    noisy: int,
    cache: Path | None,
    noisy_val: bool = False,
    noises: tuple = WRITTEN,
) -> dict:
    """Embeddings of the training comments, noisy variants of a seeded subset of ``noisy`` of them (what fits
    2 cores), the extra comments (+ variants) and the validation part (+ one noisy variant of each with
    ``noisy_val``), once; saved under ``cache`` (with the starting heads, for models/candidates.py) when given."""
    from stamning.training.augment import augment
    from stamning.training.refit import embed_comments

    subset = np.sort(np.random.default_rng(seed).permutation(len(train))[:noisy])
    noisy_subset = [train.texts[i] for i in subset]
    picked = augment(noisy_subset, train.sentiment[subset], AugmentConfig(copies=copies, seed=seed, noises=noises))
    variants = [(int(subset[i]), t) for i, t in picked]
    extra_variants = augment(extra.texts, extra.sentiment, AugmentConfig(copies=copies, seed=seed + 1, noises=noises))
    val_config = AugmentConfig(copies=1, seed=seed + 2, noises=noises)
    val_variants = augment(val.texts, val.sentiment, val_config) if noisy_val else []
    groups = {
        "val": val.texts,
        "train": train.texts,
        "train_var": [t for _, t in variants],
        "extra": extra.texts,
        "extra_var": [t for _, t in extra_variants],
    }
    if noisy_val:
        groups["val_var"] = [t for _, t in val_variants]
    print(f"refit: embedding {sum(len(v) for v in groups.values())} comments", flush=True)
    emb = {name: embed_comments(model, texts) for name, texts in groups.items()}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for name, array in emb.items():
            np.save(cache / f"build_{name}.npy", array)
        np.save(cache / "build_source.npy", np.array([i for i, _ in variants], dtype=int))
        np.save(cache / "build_extra_source.npy", np.array([i for i, _ in extra_variants], dtype=int))
        np.save(cache / "build_val_source.npy", np.array([i for i, _ in val_variants], dtype=int))
        for name, head in (("sentiment", model.sentiment_head), ("theme", model.theme_head)):
            np.save(cache / f"build_init_{name}_weight.npy", head.weight.detach().numpy())
            np.save(cache / f"build_init_{name}_bias.npy", head.bias.detach().numpy())
    emb["source"] = np.array([i for i, _ in variants], dtype=int)
    emb["extra_source"] = np.array([i for i, _ in extra_variants], dtype=int)
    emb["val_source"] = np.array([i for i, _ in val_variants], dtype=int)
    emb.setdefault("val_var", np.zeros((0, emb["val"].shape[1]), np.float32))
    return emb


def sentiment_rows(name: str, emb: dict, train, extra) -> tuple[np.ndarray, np.ndarray]:
    x, y = [emb["train"]], [train.sentiment]
    if "noisy" in name:
        x, y = x + [emb["train_var"]], y + [train.sentiment[emb["source"]]]
    if "extra" in name:
        x += [emb["extra"], emb["extra_var"]]
        y += [extra.sentiment, extra.sentiment[emb["extra_source"]]]
    return np.concatenate(x), np.concatenate(y)


def choose_lexical_weight(weight, bias, val_emb, val_lexical, val) -> tuple[float, list[float], dict]:
    """The share of the lexical theme model with the best validation micro-F1 (thresholds tuned per share)."""
    from heads import sigmoid

    from stamning.model.thresholds import tune_thresholds
    from stamning.training.metrics import theme_metrics
    from stamning.training.refit import head_logits

    head = sigmoid(head_logits(weight, bias, val_emb))
    keys = [str(j) for j in range(head.shape[1])]
    scores = {}
    for share in (0.3, 0.4, 0.5, 0.6, 0.7):
        probs = share * val_lexical + (1 - share) * head
        thresholds = tune_thresholds(probs, val.themes).round(2)
        scores[share] = (theme_metrics(probs, val.themes, keys, thresholds)["micro_f1"], thresholds.tolist())
    best = max(scores, key=lambda k: scores[k][0])
    return best, scores[best][1], {str(k): v[0] for k, v in scores.items()}


def refit_both(model: StamningModel, metrics: dict, args, start: float) -> None:
    """Both heads on all of --data (+ noisy variants); every choice on --validation; written back in place.
    The sentiment recipe is the GRID row with the best validation macro-F1 (the rule fixed in advance)."""
    from heads import fit_sentiment, fit_themes, sigmoid

    from stamning.model.lexical_themes import LexicalThemes
    from stamning.training.calibration import calibrate, softmax
    from stamning.training.metrics import theme_metrics
    from stamning.training.refit import head_logits

    if args.validation is None:
        raise SystemExit("--themes needs --validation FILE (the fixed validation part of models/split_corpus.py)")
    seed = metrics["train_config"]["seed"]
    keys = model.config.theme_keys
    train, val = load_labelled(args.data, theme_keys=keys), load_labelled(args.validation, theme_keys=keys)
    extra = load_labelled(args.extra or ROOT / "data/corpus/extra", theme_keys=keys)
    if args.max_length:
        model.config.max_length = args.max_length  # the tokens per chunk when reading (training may use fewer)
    noises = noise_set(args)
    emb = embed_all(model, train, extra, val, seed, args.copies, args.noisy, args.cache, args.noisy_validation, noises)
    # the sentiment choice's validation: the written comments, plus their noisy variants with --noisy-validation
    choice_x = np.concatenate([emb["val"], emb["val_var"]])  # val_var is empty without --noisy-validation
    choice_y = np.concatenate([val.sentiment, val.sentiment[emb["val_source"]]])
    grid = {}
    for name, epochs in GRID:
        x, y = sentiment_rows(name, emb, train, extra)
        fit = fit_sentiment(model.sentiment_head, x, y, choice_x, choice_y, epochs, args.learning_rate, seed)
        grid[f"{name}, {epochs} epochs"] = fit
        print(f"refit: {name}, {epochs} epochs: validation macro-F1 {fit[3]['validation_macro_f1']:.4f}", flush=True)
    chosen = max(grid, key=lambda k: grid[k][3]["validation_macro_f1"])
    weight, bias, temperature, s_report = grid[chosen]
    model.lexical = LexicalThemes.fit(train.texts, train.themes, seed=seed)
    w = model.config.lexical_theme_weight
    val_lexical = model.lexical.predict_proba(val.texts) if w > 0 else None
    x, _ = sentiment_rows("train+noisy", emb, train, extra)
    t_weight, t_bias, thresholds, t_report = fit_themes(
        model.theme_head,
        x,
        np.concatenate([train.themes, train.themes[emb["source"]]]),
        emb["val"],
        val.themes,
        val_lexical,
        w,
        epochs=args.theme_epochs,
        lr=5e-3,
        seed=seed,
    )
    if val_lexical is not None:
        w, thresholds, t_report["lexical_weights"] = choose_lexical_weight(
            t_weight, t_bias, emb["val"], val_lexical, val
        )
        model.config.lexical_theme_weight = w
    with torch.no_grad():
        for head, (wt, b) in ((model.sentiment_head, (weight, bias)), (model.theme_head, (t_weight, t_bias))):
            head.weight.copy_(wt)
            head.bias.copy_(b)
    model.config.sentiment_temperature, model.config.theme_thresholds = temperature, thresholds
    out = model.save_pretrained(args.output or args.model)
    raw = softmax(head_logits(weight, bias, emb["val"]))
    theme_probs = sigmoid(head_logits(t_weight, t_bias, emb["val"]))
    if val_lexical is not None:
        theme_probs = w * val_lexical + (1 - w) * theme_probs
    metrics["validation"] = {
        "sentiment": sentiment_metrics(calibrate(raw, temperature), val.sentiment),
        "sentiment_before_temperature": sentiment_metrics(raw, val.sentiment),
        "themes": theme_metrics(theme_probs, val.themes, keys, np.array(thresholds)),
    }
    metrics["data"] |= {"heads_train": len(train), "heads_validation": len(val), "heads_source": str(args.data)}
    metrics["heads_refit"] = {
        "sentiment_recipe": s_report | {"chosen": chosen},
        "sentiment_candidates": {k: v[3] for k, v in grid.items()},
        "theme_head": t_report,
        "noisy_variants": len(emb["train_var"]),
        "validation": str(args.validation),
        "sentiment_choice_on": "validation + noisy variants" if args.noisy_validation else "validation",
        "noisy_validation_variants": len(emb["val_var"]),
        "noises": [n.value for n in noises],
        "seconds": round(time.perf_counter() - start, 1),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(metrics["heads_refit"], indent=2))


if __name__ == "__main__":
    main()
