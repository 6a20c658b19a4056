"""Peak memory of a streamed `stamning classify` over a large CSV, for several row counts.

Each run is a fresh subprocess (`stamning classify big.csv -o out.parquet`); its peak RSS comes from
`resource.getrusage(RUSAGE_CHILDREN)`. Rows are corpus comments repeated. With a tiny model
(`--tiny`) the model's own memory is near zero, so the figure shows what the streaming pipeline costs;
with the default model add the model's constant footprint (measured separately as rows=1000).

    .venv/bin/python benchmarks/memory.py --rows 1000 100000 1000000 --tiny
    .venv/bin/python benchmarks/memory.py --rows 1000 20000            # default model
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import corpus_texts


def write_csv(path: Path, rows: int) -> None:
    texts = corpus_texts()
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["id", "omgang", "kommentar"])
        for i in range(rows):
            w.writerow([f"r{i}", 2024 + i % 3, rng.choice(texts)])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[1000, 100_000])
    ap.add_argument("--tiny", action="store_true", help="use a tiny model (measures the pipeline, not the model)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--batch-size", type=int, default=None, help="classify's --batch-size (default: its own)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="stamning-mem-"))
    model = args.model
    if args.tiny:
        from stamning.encoders.tiny import build_tiny_bert
        from stamning.training.trainer import TrainConfig, train

        base = build_tiny_bert(work / "base", corpus_texts()[:500])
        small = Path(__file__).resolve().parents[1] / "data" / "examples" / "labelled_small.jsonl"
        train(
            TrainConfig(
                data=small,
                output=work / "tiny",
                base=str(base),
                mode="frozen",
                head_epochs=2,
                epochs=1,
                validation_data=small,
                max_length=64,
                log_every=0,
            ),
        )
        model = str(work / "tiny")
    for rows in args.rows:
        src = work / f"in-{rows}.csv"
        write_csv(src, rows)
        cmd = [sys.executable, "-m", "stamning.cli", "classify", str(src), "-o", str(work / f"out-{rows}.parquet")]
        if model:
            cmd += ["--model", model]
        if args.batch_size:
            cmd += ["--batch-size", str(args.batch_size)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        note = "" if peak > before else " (peak of an earlier, larger run: not above it)"
        print(
            f"rows {rows:>9,}: peak RSS {peak / 1024:8.0f} MB{note}, {rows / seconds:8.0f} rows/s, "
            f"input {src.stat().st_size / 2**20:.0f} MB",
            flush=True,
        )
        src.unlink()


if __name__ == "__main__":
    main()
