"""Rows/second of classify on Ray (stamning.engines.ray_run.classify_ray, an actor pool on a local Ray) vs the
single-process classify_file, same model, same data: corpus comments (data/corpus/train + test, repeated)
split over ``--shards`` CSV shards. Ray's start-up is measured apart from the run:

* ``ray.init``: starting the local cluster (paid once per driver);
* per-run overhead: a classify_ray call on 8 rows per shard (actor processes start, import torch and
  load the model, Ray Data schedules); every classify_ray call pays it again.

    .venv/bin/python benchmarks/ray_vs_single.py [--model DIR] [--rows 8000] [--shards 4] [--concurrency 2]

Without --model the default model (stamning.model.loading.load_model) is used. Single-process torch uses all
cores; each Ray actor gets --num-cpus-per-actor threads, so compare on an otherwise idle machine."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from _common import corpus_texts
from stamning.engines.local import classify_file
from stamning.errors import StamningError
from stamning.model.loading import hub_offline_default, load_model


def write_shards(directory: Path, rows: int, shards: int) -> list[Path]:
    texts = corpus_texts()
    texts = (texts * (rows // len(texts) + 1))[:rows]
    directory.mkdir(parents=True, exist_ok=True)
    per = -(-rows // shards)
    paths = []
    for k in range(shards):
        part = texts[k * per : (k + 1) * per]
        path = directory / f"shard_{k:02d}.csv"
        pd.DataFrame({"id": [f"s{k}-{i}" for i in range(len(part))], "text": part}).to_csv(path, index=False)
        paths.append(path)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model directory (default: the embedded default model)")
    ap.add_argument("--rows", type=int, default=8000, help="rows in all (default 4 shards of 2,000)")
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--concurrency", type=int, default=2, help="Ray actors")
    ap.add_argument("--num-cpus-per-actor", type=float, default=1)
    ap.add_argument("--rows-per-batch", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--precision", default="auto")
    ap.add_argument(
        "--single-threads",
        type=int,
        default=None,
        help="torch threads for the single-process run (default: torch's choice, all cores)",
    )
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = ap.parse_args()
    hub_offline_default()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray

        from stamning.engines.ray_run import classify_ray
    except ImportError:
        print("needs Ray: pip install 'ray[data]==2.60.0'", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="stamning-ray-bench-") as tmp:
        root = Path(tmp)
        shards = write_shards(root / "in", args.rows, args.shards)
        write_shards(root / "warm", 8 * args.shards, args.shards)
        try:
            t0 = time.perf_counter()
            model = load_model(args.model)
            load_s = time.perf_counter() - t0
        except StamningError as err:
            print(f"{err}\n(give a model directory with --model)", file=sys.stderr)
            return 2

        # single process: one classify_file per shard, model loaded once (its load time reported apart)
        import torch

        if args.single_threads:
            torch.set_num_threads(args.single_threads)
        threads = torch.get_num_threads()
        (root / "single").mkdir()
        t0 = time.perf_counter()
        for shard in shards:
            classify_file(
                shard,
                root / "single" / f"{shard.stem}.parquet",
                model=model,
                batch_size=args.batch_size,
                precision=args.precision,
            )
        single_s = time.perf_counter() - t0
        del model

        options = dict(
            model=args.model,
            batch_size=args.batch_size,
            rows_per_batch=args.rows_per_batch,
            concurrency=args.concurrency,
            num_cpus_per_actor=args.num_cpus_per_actor,
            precision=args.precision,
            resume=False,
        )
        t0 = time.perf_counter()
        ray.init(
            num_cpus=max(os.cpu_count() or 1, int(args.concurrency * args.num_cpus_per_actor) + 1),
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
        init_s = time.perf_counter() - t0
        try:
            warm = classify_ray(root / "warm", root / "warm-out", **options)
            result = classify_ray(root / "in", root / "ray", **options)
        finally:
            ray.shutdown()

        same = total = 0
        for shard in shards:
            a = pd.read_parquet(root / "single" / f"{shard.stem}.parquet")
            b = pd.read_parquet(root / "ray" / f"{shard.stem}.parquet")
            same += int((a["sentiment"].fillna("") == b["sentiment"].fillna("")).sum())
            total += len(a)

    rows = result.rows
    single_rps = rows / single_s
    ray_rps = rows / result.seconds
    steady_s = result.seconds - warm.seconds
    # only meaningful when the run is much longer than the overhead run (both are noisy)
    steady_rps = rows / steady_s if result.seconds > 3 * warm.seconds else None
    print(
        f"{rows} rows in {args.shards} shards, model {args.model or 'default'}, precision {args.precision}, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'path':<34}{'seconds':>10}{'rows/s':>10}")
    print(f"{f'single process, {threads} threads':<34}{single_s:>10.2f}{single_rps:>10.1f}")
    label = f"ray, {args.concurrency} actors x {args.num_cpus_per_actor:g} CPU"
    print(f"{label:<34}{result.seconds:>10.2f}{ray_rps:>10.1f}")
    print(f"ratio ray / single: {ray_rps / single_rps:.2f}x (end to end, per-run overhead included)")
    print(
        f"ray start-up: ray.init {init_s:.2f} s (once per driver); per-run overhead {warm.seconds:.2f} s "
        f"(classify_ray on {warm.rows} rows: actors start and load the model)"
    )
    if steady_rps is None:
        print("ray without the per-run overhead: n/a (run under 3x the overhead run; use more --rows)")
    else:
        print(
            f"ray without the per-run overhead (rough): {steady_rps:.1f} rows/s ({steady_rps / single_rps:.2f}x single)"
        )
    print(f"single-process model load {load_s:.2f} s (not counted above)")
    print(f"same sentiment label in both outputs: {same}/{total}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "shards": args.shards,
                    "cpus": os.cpu_count(),
                    "model": args.model or "default",
                    "concurrency": args.concurrency,
                    "num_cpus_per_actor": args.num_cpus_per_actor,
                    "single_threads": threads,
                    "single_seconds": single_s,
                    "single_rows_per_s": single_rps,
                    "ray_seconds": result.seconds,
                    "ray_rows_per_s": ray_rps,
                    "ratio": ray_rps / single_rps,
                    "ray_init_seconds": init_s,
                    "ray_per_run_overhead_seconds": warm.seconds,
                    "ray_steady_rows_per_s": steady_rps,
                    "model_load_seconds": load_s,
                    "same_sentiment": same / total,
                },
                indent=2,
            )
            + "\n",
            "utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
