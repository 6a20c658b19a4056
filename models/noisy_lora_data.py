"""The LoRA stage's data for candidate I (models/README.md): the first corpus' training part plus one noisy variant
of each of its comments, and its validation part (never given a variant), from the fixed split.

    .venv/bin/python models/split_corpus.py --out models/build --lora-size 8000 --lora-validation 300
    .venv/bin/python models/noisy_lora_data.py --build models/build --out models/build/noisy_first

Writes ``OUT/train.jsonl`` (each comment, then the variants with ``-v`` after their source's id; themes and level
kept: every noise of ``stamning.training.augment.WRITTEN`` preserves them) and ``OUT/validation.jsonl`` (the
first corpus' seeded 15 %, as in ``BUILD/validation.jsonl``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from split_corpus import rows, write  # models/ is the script's folder

from stamning.records import SENTIMENT_LEVELS
from stamning.training.augment import AugmentConfig, augment

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", type=Path, default=ROOT / "models/build", help="models/split_corpus.py's --out")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    first = [r for f in sorted((args.build / "train").glob("*.jsonl")) if not f.name.startswith("x2_") for r in rows(f)]
    second = {r["id"] for f in (ROOT / "data/corpus/train").glob("x2_*.jsonl") for r in rows(f)}
    validation = [r for r in rows(args.build / "validation.jsonl") if r["id"] not in second]
    levels = [SENTIMENT_LEVELS.index(r["sentiment"]) for r in first]
    variants = augment([r["text"] for r in first], levels, AugmentConfig(copies=1, seed=args.seed))
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "train.jsonl", first + [dict(first[i], id=f"{first[i]['id']}-v", text=t) for i, t in variants])
    write(args.out / "validation.jsonl", validation)
    print(f"{len(first)} training comments + {len(variants)} variants; {len(validation)} validation comments")


if __name__ == "__main__":
    main()
