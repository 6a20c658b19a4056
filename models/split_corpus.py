"""The fixed training/validation split of the default model's build (step 1 of models/train_default.sh).

    .venv/bin/python models/split_corpus.py [--out models/build]

Writes (all under ``--out``, not committed):
- ``lora/``: the first corpus (data/corpus/train without the ``x2_`` files), on which the LoRA stage trains
  with its own seeded 15 % validation part, exactly as the previous default model did;
- ``validation.jsonl``: that same 15 % of the first corpus (seed 13, stratified by level: the comments the
  LoRA stage never trains on) plus a seeded 15 % of each ``x2_`` file, stratified by level;
- ``train/``: every training comment not in ``validation.jsonl`` (what the heads are refitted on).
No validation comment is ever trained on; the test files (data/corpus/test) are not read.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from stamning.training.labelled import load_labelled
from stamning.training.trainer import split

ROOT = Path(__file__).resolve().parents[1]
FRACTION, SEED = 0.15, 13


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data/corpus/train")
    ap.add_argument("--out", type=Path, default=ROOT / "models/build")
    args = ap.parse_args()
    files = sorted(args.data.glob("*.jsonl"))
    first = [f for f in files if not f.name.startswith("x2_")]
    shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "lora").mkdir(parents=True)
    (args.out / "train").mkdir()
    for f in first:
        shutil.copy(f, args.out / "lora" / f.name)
    old = load_labelled(args.out / "lora")
    _, val_idx = split(old, FRACTION, SEED)
    validation = {old.ids[i] for i in val_idx}
    for n, f in enumerate(f for f in files if f.name.startswith("x2_")):
        validation |= new_validation(rows(f), SEED + n)
    val_rows, counts = [], {}
    for f in files:
        items = rows(f)
        write(args.out / "train" / f.name, [r for r in items if r["id"] not in validation])
        val_rows += [r for r in items if r["id"] in validation]
        held = sum(r["id"] in validation for r in items)
        counts[f.name] = {"train": len(items) - held, "validation": held}
    write(args.out / "validation.jsonl", val_rows)
    print(json.dumps({"validation": len(val_rows), "files": counts}, indent=1))


if __name__ == "__main__":
    main()
