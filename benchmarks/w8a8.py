"""W8A8 int8 linears for the built-in encoder (issue 16), as an experiment: where accuracy is lost, and why
it was not kept.

The int8 linear (:func:`int8_linear`, patched over ``encoders.bert._Layer._linear`` by :func:`w8a8`):
weights symmetric int8 per output channel, quantised once per layer (LoRA already folded in by the
loader); activations symmetric int8 per row (per token) with the row's own scale, so a row's result never
depends on the other rows; ``torch._int_mm`` (int8 x int8 -> exact int32), then x row scale x column
scale + bias in fp32. Layer norms, attention, GELU stay as in the default path (bf16 autocast).
Optional SmoothQuant-style smoothing per input channel (x / s, W * s), with s = amax_x^a / amax_w^(1-a)
and a chosen per linear by the output error on calibration text from ``data/corpus/train`` (never on
real-dev).

This script measures, on real short comments (real-dev ``text`` column, used only as input) against
today's default (bf16) labels: every linear in int8; one linear kind at a time; one layer at a time;
weights-only and activations-only fake quantisation; smoothing; and whether batch == one by one.
Agreement needs no gold labels. The speed lever is ``default_levers.py --only w8a8``.

    cd benchmarks && ../.venv/bin/python w8a8.py [--n 1200] [--calibration 192]
    cd benchmarks && ../.venv/bin/python w8a8.py --ops     # CPU time per op, one thread
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random

import numpy as np
import torch
import torch.nn.functional as F

from _common import ROOT
from stamning.encoders import bert

NAMES = ("qkv", "attn_out", "ffn_in", "ffn_out")
ALPHAS = (None, 0.35, 0.5, 0.65, 0.8)


def quantise_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 per row of a 2-D ``x`` and each row's scale ``[rows, 1]`` (fp32): x ~ codes * scale."""
    work = x.abs() if x.dtype == torch.float32 else x.float().abs_()  # abs + amax: 15x faster than aminmax here
    amax = work.amax(-1, keepdim=True).clamp_(min=1e-12)
    codes = torch.mul(x, 127.0 / amax, out=work).round_().to(torch.int8)  # one fp32 buffer, used twice
    return codes, amax.div_(127.0)


def _weights(layer, name: str):
    """(int8 codes transposed, column scales, fp32 bias), quantised once and kept on the layer; made again
    when the weight, the bias or the smoothing changes."""
    weight, bias = getattr(layer, name + "_weight"), getattr(layer, name + "_bias")
    smooth = getattr(layer, "smoothing", {}).get(name)
    key = (weight.data_ptr(), weight._version, bias._version, id(smooth))
    cache = layer.__dict__.setdefault("_w8a8", {})
    if name not in cache or cache[name][0] != key:
        w = weight.detach().float() if smooth is None else weight.detach().float() * smooth
        codes, scale = quantise_rows(w)
        cache[name] = (key, codes.t(), scale.view(-1), bias.detach().float())
    return cache[name][1:]


def int8_linear(layer, x: torch.Tensor, name: str) -> torch.Tensor:
    codes_t, col_scale, bias = _weights(layer, name)
    flat = x.reshape(-1, x.shape[-1])
    smooth = getattr(layer, "smoothing", {}).get(name)
    rows, row_scale = quantise_rows(flat if smooth is None else flat / smooth)
    acc = torch._int_mm(rows, codes_t).float()
    out = torch.addcmul(bias, acc.mul_(col_scale), row_scale, out=acc)
    return out.view(*x.shape[:-1], -1)  # fp32: the residual add and layer norm run in fp32 anyway


@contextlib.contextmanager
def w8a8(names=NAMES, layers=None):
    """Inside: the linears ``names`` of the layers ``layers`` (indices; None = all) run as W8A8."""
    default = bert._Layer._linear
    chosen = frozenset(names)

    def linear(self, x, name):
        if name in chosen and (layers is None or getattr(self, "index", -1) in layers):
            return int8_linear(self, x, name)
        return default(self, x, name)

    bert._Layer._linear = linear
    try:
        yield
    finally:
        bert._Layer._linear = default


@contextlib.contextmanager
def fake_quant(weights: bool, activations: bool):
    """Every linear in fp32 with fake-quantised weights and/or activations: which side loses accuracy."""
    default = bert._Layer._linear

    def fq(t):
        codes, scale = quantise_rows(t.float())
        return codes.float() * scale

    def linear(self, x, name):
        w, b = getattr(self, name + "_weight").float(), getattr(self, name + "_bias").float()
        flat = x.reshape(-1, x.shape[-1]).float()
        out = F.linear(fq(flat) if activations else flat, fq(w) if weights else w, b)
        return out.to(torch.bfloat16).view(*x.shape[:-1], -1)

    bert._Layer._linear = linear
    try:
        yield
    finally:
        bert._Layer._linear = default


def corpus_train(n: int, seed: int = 5) -> list[str]:
    rows = []
    for f in sorted((ROOT / "data" / "corpus" / "train").glob("*.jsonl")):
        rows += [json.loads(line)["text"] for line in f.read_text("utf-8").splitlines() if line.strip()]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def calibrate(model, texts: list[str], rows: int = 4000) -> dict:
    """Per layer and linear: the smoothing exponent with the least relative output error of W8A8 on the
    calibration activations (``None`` = no smoothing); sets ``layer.smoothing`` and returns the choices."""
    seen: dict = {}
    default = bert._Layer._linear

    def record(self, x, name):
        seen.setdefault((self.index, name), []).append(x.detach().float().reshape(-1, x.shape[-1]))
        return default(self, x, name)

    bert._Layer._linear = record
    try:
        model.predict(texts, batch_size=32, precision="bf16")
    finally:
        bert._Layer._linear = default
    chosen = {}
    for layer in model.encoder.layers:
        layer.smoothing = {}
        for name in NAMES:
            x = torch.cat(seen[(layer.index, name)])
            x = x[torch.randperm(len(x), generator=torch.Generator().manual_seed(0))[:rows]]
            w = getattr(layer, name + "_weight").detach().float()
            errors = {a: _error(x, w, _factor(x, w, a)) for a in ALPHAS}
            best = min(errors, key=errors.__getitem__)
            chosen[f"{layer.index}.{name}"] = {"alpha": best, "rel_error": errors}
            if best is not None:
                layer.smoothing[name] = _factor(x, w, best)
    return chosen


def _factor(x, w, alpha):
    if alpha is None:
        return None
    ax, aw = x.abs().amax(0).clamp(min=1e-5), w.abs().amax(0).clamp(min=1e-5)
    return (ax.pow(alpha) / aw.pow(1 - alpha)).clamp(min=1e-5)


def _error(x, w, s) -> float:
    ref = x @ w.t()
    xq, xs = quantise_rows(x if s is None else x / s)
    wq, ws = quantise_rows(w if s is None else w * s)
    out = (xq.float() * xs) @ (wq.float() * ws).t()
    return float((out - ref).norm() / ref.norm())


def agreement(base, other) -> dict:
    dp = [
        np.abs(np.array(list(a.probabilities.values())) - np.array(list(b.probabilities.values()))).mean()
        for a, b in zip(base, other)
    ]
    return {
        "sentiment": float(np.mean([a.sentiment == b.sentiment for a, b in zip(base, other)])),
        "theme_set": float(np.mean([set(a.themes) == set(b.themes) for a, b in zip(base, other)])),
        "mean_abs_dp": float(np.mean(dp)),
    }


def batch_equals_single(model, texts: list[str]) -> bool:
    batched = model.predict(texts, batch_size=32, precision="bf16")
    single = [model.predict([t], batch_size=1, precision="bf16")[0] for t in texts]
    return all(
        a.probabilities == b.probabilities and a.theme_probabilities == b.theme_probabilities
        for a, b in zip(batched, single)
    )


def main() -> None:
    from default_levers import real_texts
    from stamning.model.loading import load_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--calibration", type=int, default=192)
    ap.add_argument("--ops", action="store_true", help="only the per-op CPU times (op_costs), one thread")
    args = ap.parse_args()
    if args.ops:
        costs = {str(rows): op_costs(rows) for rows in (256, 768)}
        (ROOT / "benchmarks" / "results" / "w8a8_ops.json").write_text(json.dumps(costs, indent=2), "utf-8")
        return
    texts = real_texts(args.n)
    model = load_model()
    for i, layer in enumerate(model.encoder.layers):
        layer.index = i
    ref = model.predict(texts, batch_size=32, precision="bf16")
    results: dict = {"n": len(texts)}

    def measure(label: str, ctx) -> None:
        with ctx:
            results[label] = agreement(ref, model.predict(texts, batch_size=32, precision="bf16"))
        r = results[label]
        print(
            f"{label:34} sentiment {r['sentiment']:.2%} themes {r['theme_set']:.2%} mean|dp| {r['mean_abs_dp']:.4f}",
            flush=True,
        )

    measure("all four, no smoothing", w8a8())
    with w8a8():
        results["batch_equals_single_64"] = batch_equals_single(model, texts[:64])
    print("W8A8 batch == one by one (64 comments, every probability):", results["batch_equals_single_64"])
    measure("weights int8 only (fake quant)", fake_quant(True, False))
    measure("activations int8 only (fake quant)", fake_quant(False, True))
    for name in NAMES:
        measure(f"only {name}", w8a8([name]))
    for i in range(len(model.encoder.layers)):
        measure(f"only layer {i}", w8a8(layers={i}))
    results["calibration"] = calibrate(model, corpus_train(args.calibration))
    measure("all four, smoothed", w8a8())
    for name in NAMES:
        measure(f"only {name}, smoothed", w8a8([name]))
    measure("attn_out + ffn_in, smoothed", w8a8(["attn_out", "ffn_in"]))
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "w8a8.json").write_text(json.dumps(results, indent=2), "utf-8")


def _op_steps(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> dict:
    wb, bb = w.bfloat16(), b.bfloat16()
    codes, scale = quantise_rows(w)
    codes_t, scale = codes.t(), scale.view(-1)
    q, rs = quantise_rows(x)
    acc = torch._int_mm(q, codes_t)

    def w8a8_linear():
        rows, row_scale = quantise_rows(x)
        acc = torch._int_mm(rows, codes_t).float()
        return torch.addcmul(b, acc.mul_(scale), row_scale, out=acc)

    return {
        "bf16 linear (cast + F.linear)": lambda: F.linear(x.bfloat16(), wb, bb),
        "w8a8 linear": w8a8_linear,
        "  quantise rows": lambda: quantise_rows(x),
        "  _int_mm": lambda: torch._int_mm(q, codes_t),
        "  rescale + bias": lambda: torch.addcmul(b, (y := acc.float()).mul_(scale), rs, out=y),
    }


def _thread_ms(fn, repeats: int) -> float:
    import time

    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.thread_time()
        fn()
        times.append(time.thread_time() - start)
    return float(np.median(times) * 1e3)


def op_costs(rows: int = 768, repeats: int = 30) -> dict:
    """CPU time of this thread per call (median), one intra-op thread so that other processes' load does not
    count: the default bf16 linear (fp32 input cast by autocast, as layer-norm outputs are) against the W8A8
    linear and its parts, at the encoder's four shapes (``rows`` = tokens in a batch, e.g. 32 comments x 24)."""
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    shapes = {"qkv": (384, 1152), "attn_out": (384, 384), "ffn_in": (384, 1536), "ffn_out": (1536, 384)}
    out = {}
    for name, (k, n) in shapes.items():
        x, w, b = torch.randn(rows, k, generator=gen), torch.randn(n, k, generator=gen), torch.randn(n, generator=gen)
        out[name] = {label: _thread_ms(fn, repeats) for label, fn in _op_steps(x, w, b).items()}
        parts = " | ".join(f"{a.strip()} {v:.3f} ms" for a, v in out[name].items())
        print(f"{name} [{rows}x{k}] x [{k}x{n}]: {parts}", flush=True)
    return out


if __name__ == "__main__":
    main()
