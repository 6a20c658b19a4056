"""The fixed training/validation split of the default model's build (step 0 of models/train_default.sh).

    .venv/bin/python models/split_corpus.py [--out models/build] [--also data/corpus/x4]

Writes (all under ``--out``, not committed):
- ``validation.jsonl``: the seeded 15 % of the first corpus (data/corpus/train without the later rounds'
  ``x2_``/``x3_`` files; seed 13, stratified by level: the part the previous default was validated on and
  never trained on) plus a seeded 15 % of each later round's file, stratified by level (files in name order,
  seed 13 + their place; ``--also`` adds a candidate folder's files to that order as if they were in
  data/corpus/train);
- ``train/``: every training comment not in ``validation.jsonl`` (what the heads are refitted on);
- ``lora/train.jsonl``: a seeded sample of ``--lora-size`` of those, stratified by level (what the LoRA
  stage trains on: what fits 2 shared cores), and ``lora_validation.jsonl``: a seeded ``--lora-validation``
  of the validation part (the LoRA stage's early stopping).
No validation comment is ever trained on; the test files (data/corpus/test) are not read.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import numpy as np

from stamning.training.labelled import load_labelled
from stamning.training.loss import split

ROOT = Path(__file__).resolve().parents[1]
FRACTION, SEED = 0.15, 13
LATER_ROUND = re.compile(r"x\d+_")  # x2_, x3_: files of the later writing rounds (not the first corpus)


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items), "utf-8")


def new_validation(items: list[dict], seed: int) -> set[str]:
    """A seeded share of each level of one file."""
    rng = np.random.default_rng(seed)
    chosen: set[str] = set()
    for level in sorted({r["sentiment"] for r in items}):
        ids = [r["id"] for r in items if r["sentiment"] == level]
        chosen |= set(rng.permutation(ids)[: int(round(FRACTION * len(ids)))].tolist())
    return chosen


def sample(items: list[dict], n: int, rng: np.random.Generator) -> list[dict]:
    """A seeded sample of about ``n`` rows, stratified by level, in the original order."""
    chosen: set[str] = set()
    for level in sorted({r["sentiment"] for r in items}):
        ids = [r["id"] for r in items if r["sentiment"] == level]
        chosen |= set(rng.permutation(ids)[: int(round(n * len(ids) / len(items)))].tolist())
    return [r for r in items if r["id"] in chosen]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data/corpus/train")
    ap.add_argument("--out", type=Path, default=ROOT / "models/build")
    ap.add_argument("--lora-size", type=int, default=1200)
    ap.add_argument("--lora-validation", type=int, default=300)
    ap.add_argument("--also", type=Path, action="append", default=[], help="a candidate folder of x<n>_ files")
    args = ap.parse_args()
    added = [f for d in args.also for f in d.glob("*.jsonl")]
    files = sorted([*args.data.glob("*.jsonl"), *added], key=lambda f: f.name)
    if any(not LATER_ROUND.match(f.name) for f in added):
        raise SystemExit("--also: every file must be a later round's (x<n>_<key>.jsonl)")
    if len({f.name for f in files}) < len(files):
        raise SystemExit("--also: a file name is both in --data and in --also (or twice in --also); give it once")
    first = [f for f in files if not LATER_ROUND.match(f.name)]
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "first").mkdir(parents=True)
    (args.out / "train").mkdir()
    for f in first:
        shutil.copy(f, args.out / "first" / f.name)
    old = load_labelled(args.out / "first")
    shutil.rmtree(args.out / "first")
    _, val_idx = split(old, FRACTION, SEED)
    validation = {old.ids[i] for i in val_idx}
    for n, f in enumerate(f for f in files if LATER_ROUND.match(f.name)):
        validation |= new_validation(rows(f), SEED + n)
    val_rows, counts = [], {}
    for f in files:
        items = rows(f)
        write(args.out / "train" / f.name, [r for r in items if r["id"] not in validation])
        val_rows += [r for r in items if r["id"] in validation]
        held = sum(r["id"] in validation for r in items)
        counts[f.name] = {"train": len(items) - held, "validation": held}
    write(args.out / "validation.jsonl", val_rows)
    train_rows = [
        r for f in files for r in rows(f) if r["id"] not in validation and any(c.isalpha() for c in r["text"])
    ]
    rng = np.random.default_rng(SEED)
    (args.out / "lora").mkdir()
    write(args.out / "lora" / "train.jsonl", sample(train_rows, args.lora_size, rng))
    write(args.out / "lora_validation.jsonl", sample(val_rows, args.lora_validation, rng))
    print(json.dumps({"validation": len(val_rows), "lora": args.lora_size, "files": counts}, indent=1))


if __name__ == "__main__":
    main()
