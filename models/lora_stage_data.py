"""The LoRA stage's data from the fixed split: the first corpus' training part, optionally the training part of
later writing rounds (``--rounds x3``: candidate N) and one noisy variant of each comment (``--noisy``: candidate
I; models/README.md), and the matching validation part (never given a variant).

    .venv/bin/python models/split_corpus.py --out models/build --lora-size 8000 --lora-validation 300
    .venv/bin/python models/lora_stage_data.py --build models/build --out models/build/noisy_first --noisy   # I
    .venv/bin/python models/lora_stage_data.py --build models/build --out models/build/first_x3 --rounds x3  # N

Writes ``OUT/train.jsonl`` (each comment, then any variants with ``-v`` after their source's id; themes and level
kept: every noise of ``stamning.training.augment.WRITTEN`` preserves them) and ``OUT/validation.jsonl`` (the
first corpus' seeded 15 % as in ``BUILD/validation.jsonl``, plus the named rounds' 15 %), so that no comment the
heads are later validated on is trained on here."""

from __future__ import annotations

import argparse
from pathlib import Path

from split_corpus import LATER_ROUND, rows, write  # models/ is the script's folder

from stamning.records import SENTIMENT_LEVELS
from stamning.training.augment import AugmentConfig, augment

ROOT = Path(__file__).resolve().parents[1]


def wanted(name: str, rounds: list[str]) -> bool:
    """A first-corpus file (or comment id), or one of the named later rounds'."""
    return not LATER_ROUND.match(name) or name.split("_", 1)[0] in rounds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", type=Path, default=ROOT / "models/build", help="models/split_corpus.py's --out")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--rounds", nargs="*", default=[], help="later rounds to include, e.g. x3")
    ap.add_argument("--noisy", action="store_true", help="add one noisy variant of each training comment")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    train = [r for f in sorted((args.build / "train").glob("*.jsonl")) if wanted(f.name, args.rounds) for r in rows(f)]
    # by id (x2-…, x3-…), so that a round added with split_corpus.py --also is told apart as well
    validation = [r for r in rows(args.build / "validation.jsonl") if wanted(r["id"].replace("-", "_", 1), args.rounds)]
    variants = []
    if args.noisy:
        levels = [SENTIMENT_LEVELS.index(r["sentiment"]) for r in train]
        variants = augment([r["text"] for r in train], levels, AugmentConfig(copies=1, seed=args.seed))
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "train.jsonl", train + [dict(train[i], id=f"{train[i]['id']}-v", text=t) for i, t in variants])
    write(args.out / "validation.jsonl", validation)
    print(f"{len(train)} training comments + {len(variants)} variants; {len(validation)} validation comments")


if __name__ == "__main__":
    main()
