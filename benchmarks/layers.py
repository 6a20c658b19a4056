"""How much faster is the default classify path on fewer encoder layers? (Issue 16: the ratios need less arithmetic.)

The default model's built-in encoder cut to its first K layers (heads unchanged: a head's cost is nothing beside
the encoder's, and speed does not depend on what it says), `model.predict` exactly as `classify` runs it (default
batch, `mixed` on, precision auto) on the same short comments, alternating with the full 12 layers (A B A B) so
both share the machine's noise; the rate ratio is taken per pair. What each K costs in quality needs its heads
refitted: candidate K in models/README.md.

    cd benchmarks && ../.venv/bin/python layers.py [--n 1000] [--layers 10 8 6 4] [--repeats 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from torch import nn

from _common import benchmark_sets, machine
from stamning.model.loading import load_model


def _rate(model, texts: list[str]) -> float:
    start = time.perf_counter()
    model.predict(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--layers", type=int, nargs="+", default=[10, 8, 6, 4])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--set", default="short", choices=("short", "long", "mix"))
    args = ap.parse_args()
    print(machine())
    texts = benchmark_sets(args.n)[args.set]
    model = load_model()
    layers = model.encoder.layers
    if not isinstance(layers, nn.ModuleList):
        raise SystemExit("the default model does not run on the built-in encoder here")
    full = list(layers)
    model.predict(texts[:64])  # warm-up
    for k in args.layers:
        ratios, rates = [], []
        for _ in range(args.repeats):
            model.encoder.layers = nn.ModuleList(full)
            base = _rate(model, texts)
            model.encoder.layers = nn.ModuleList(full[:k])
            cut = _rate(model, texts)
            ratios.append(cut / base)
            rates.append((base, cut))
        model.encoder.layers = nn.ModuleList(full)
        b, c = np.mean(rates, axis=0)
        print(
            f"{args.set}: {k} of {len(full)} layers {c:.1f} /s vs {b:.1f} /s: {np.mean(ratios):.2f}x "
            f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)})",
            flush=True,
        )


if __name__ == "__main__":
    main()
