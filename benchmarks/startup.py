"""Cold start: a fresh Python process imports stamning, loads the default model and classifies one comment.

Side by side in one run: the built-in BERT encoder + light tokenizer (stamning's default path) and the
transformers path (AutoModel + AutoTokenizer + peft merge) on the same model directory. Each variant runs
``--repeats`` times in a fresh subprocess (after one warm-up run so the OS file cache is warm for both);
prints wall seconds (median, min), the time to the first prediction measured inside the process, and peak
RSS, plus the ratio.

Then the cold start a terminal user sees: ``stamning classify`` of a one-comment CSV in a fresh process, through the
console script's entry (:func:`stamning.cli.main`: the app, then the garbage collector frozen before the
interpreter's shutdown) and through the bare typer app (the entry before), alternated, wall seconds.

    .venv/bin/python benchmarks/startup.py [--model DIR] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT

CHILD = """
import time, resource
t0 = time.perf_counter()
from stamning.model.classifier import StamningModel
from stamning.model.loading import default_model_dir
model = StamningModel.from_pretrained({model!r} or default_model_dir(), backend={backend!r})
t1 = time.perf_counter()
model.predict(["Bra bemötande men informationen kom för sent."])
t2 = time.perf_counter()
print(t1 - t0, t2 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run(backend: str, model: str | None) -> tuple[float, float, float, float]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(model=model, backend=backend)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    load, first, peak = (float(x) for x in out.stdout.split())
    return wall, load, first, peak


ENTRIES = {
    "stamning.cli.main": "from stamning.cli import main; main()",
    "typer app": "from stamning.cli.app import app; app()",
}


def cli_run(entry: str, model: str | None) -> float:
    """Wall seconds of ``stamning classify`` on a one-comment CSV in a fresh process through ``entry``."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "one.csv", Path(tmp) / "out.csv"
        src.write_text("id;kommentar\n1;Bra bemötande men informationen kom för sent.\n", "utf-8")
        args = ["classify", str(src), "-o", str(dst)] + (["--model", model] if model else [])
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", ENTRIES[entry], *args], capture_output=True, check=True)
        return time.perf_counter() - start


def cli_cold_start(model: str | None, repeats: int) -> dict[str, float]:
    """Median wall seconds per entry, the entries alternated (after one warm-up each)."""
    times: dict[str, list[float]] = {name: [] for name in ENTRIES}
    for name in ENTRIES:
        cli_run(name, model)
    for _ in range(repeats):
        for name in ENTRIES:
            times[name].append(cli_run(name, model))
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    results = {}
    for backend in ("transformers", "builtin"):
        run(backend, args.model)  # warm the file cache
        runs = [run(backend, args.model) for _ in range(args.repeats)]
        wall, load, first, peak = ([r[i] for r in runs] for i in range(4))
        results[backend] = {
            "wall_median_s": statistics.median(wall),
            "wall_min_s": min(wall),
            "in_process_to_first_prediction_s": statistics.median(first),
            "import_and_load_s": statistics.median(load),
            "peak_rss_mb": max(peak),
        }
        r = results[backend]
        print(
            f"{backend:12} wall {r['wall_median_s']:.2f} s (min {r['wall_min_s']:.2f}) | import+load "
            f"{r['import_and_load_s']:.2f} s | to first prediction {r['in_process_to_first_prediction_s']:.2f} s | "
            f"peak RSS {r['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    ratio = results["transformers"]["wall_median_s"] / results["builtin"]["wall_median_s"]
    print(f"cold start: built-in path {ratio:.2f}x faster than the transformers path (median wall)")
    cli = cli_cold_start(args.model, args.repeats)
    results["cli_classify_one_comment_wall_median_s"] = cli
    print("stamning classify, one comment, fresh process: " + " | ".join(f"{k} {v:.2f} s" for k, v in cli.items()))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "startup.json").write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
