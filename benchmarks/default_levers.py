"""Levers on the default classify path, each measured against today's default in one process.

Every variant runs ``model.predict`` exactly as ``classify`` does (``options.BATCH_SIZE``, ``mixed`` on, precision auto)
on the same real short comments, alternating with the baseline (A B A B) so both sides share the
machine's noise; the rate ratio is taken per pair. Agreement is per comment: the sentiment label, and
the theme set, equal to the baseline's; ``identical`` counts comments whose every probability is
bit-identical.

- ``pack``: the kept bf16 weights packed once into oneDNN's layout (``encoders.bert._kept_weight``, today) against
  plain bf16 copies that ``F.linear`` reorders on every call (before);
- ``cast once``: the built-in encoder keeps its bf16 weights instead of letting autocast cast them on
  every batch (``_Layer._linear``; the baseline patches that back to a plain ``F.linear``);
- ``pad 8``: input widths in multiples of 8 instead of 16 (``segments.PAD_MULTIPLE``);
- ``int8``: the encoder's linear layers as PyTorch dynamically quantised int8 layers
  (``torch.ao.quantization.quantize_dynamic``, x86 / AVX512-VNNI), run without autocast;
- ``reader``: ``classify_file`` (CSV in, CSV out, ``--e2e-rows`` short corpus comments, the model loaded
  once) with its reader thread (reading, tokenising and the lexical models of the next chunk overlap the
  encoder) against the same loop run in the main thread (``stream.ReadAhead`` swapped for a plain iterator);
- ``w8a8``: the encoder's four linears as W8A8 int8 (``w8a8.py``: per-channel int8 weights, per-row int8
  activations, ``torch._int_mm``; smoothing calibrated on ``data/corpus/train``), the rest as the default;
  ``w8a8sub``: only ``attn_out`` and ``ffn_in`` in int8 (the pair that was least harmful);
- ``compile``: ``torch.compile`` (inductor, dynamic shapes) on each encoder layer, against the default
  with ``cast once``: compile time on the first call, then the steady-state rate, and the run length
  where it starts to pay.

    cd benchmarks && ../.venv/bin/python default_levers.py [--n 1200] [--skip int8,compile] [--repeats 2]
    cd benchmarks && ../.venv/bin/python default_levers.py --skip cast,pad8,int8,reader,compile --repeats 3
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import random
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from _common import ROOT, benchmark_sets
from stamning.encoders import bert, segments
from stamning.engines import stream
from stamning.engines.local import classify_file
from stamning.model.loading import load_model
from stamning.options import BATCH_SIZE
from w8a8 import calibrate, corpus_train, w8a8

REAL_DEV = ("shared", "data", "real-dev", "swe-sentiment-dataset.csv")


def real_texts(n: int, seed: int = 3) -> list[str]:
    """Real short Swedish comments (evaluation-only data, used here only as input text)."""
    path = next(p.joinpath(*REAL_DEV) for p in (ROOT.parent, ROOT.parents[1]) if p.joinpath(*REAL_DEV).is_file())
    rows = [r["text"] for r in csv.DictReader(path.open(encoding="utf-8")) if r["text"].strip()]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def _plain_linear(self, x, name):  # today's main: autocast casts the weights on every call
    return F.linear(x, getattr(self, name + "_weight"), getattr(self, name + "_bias"))


@contextlib.contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def baseline():
    return patched(bert._Layer, "_linear", _plain_linear)


@contextlib.contextmanager
def packing(model, on: bool):
    """The encoder's kept bf16 weights packed once into oneDNN's layout (``on``, today) or kept as plain bf16 copies
    that ``F.linear`` reorders on every call (before); the copies are made again on entry and on exit."""

    def forget() -> None:
        for layer in model.encoder.layers:
            layer._cast.clear()

    forget()
    try:
        with patched(bert, "_packs_bf16", lambda: on):
            yield
    finally:
        forget()


def quantise(model) -> None:
    """Attach int8 dynamic linear layers (same weights) to every encoder layer as ``_q``."""
    for layer in model.encoder.layers:
        linears = nn.ModuleDict()
        for name in ("qkv", "attn_out", "ffn_in", "ffn_out"):
            w, b = getattr(layer, name + "_weight"), getattr(layer, name + "_bias")
            lin = nn.Linear(w.shape[1], w.shape[0])
            lin.weight.data, lin.bias.data = w.data.clone(), b.data.clone()
            linears[name] = lin
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer._q = torch.ao.quantization.quantize_dynamic(linears, {nn.Linear}, dtype=torch.qint8)


def run(model, texts, precision="auto"):
    start, cpu = time.perf_counter(), time.process_time()
    preds = model.predict(texts, batch_size=BATCH_SIZE, precision=precision)
    run.cpu = time.process_time() - cpu  # CPU time of the process: with --threads 1, what the work costs
    return preds, time.perf_counter() - start


def compare(base, other) -> dict:
    same_sent = np.mean([a.sentiment == b.sentiment for a, b in zip(base, other)])
    same_themes = np.mean([set(a.themes) == set(b.themes) for a, b in zip(base, other)])
    same_mixed = np.mean([a.mixed == b.mixed for a, b in zip(base, other)])
    identical = np.mean(
        [
            a.probabilities == b.probabilities and a.theme_probabilities == b.theme_probabilities
            for a, b in zip(base, other)
        ]
    )
    return {
        "sentiment_agreement": float(same_sent),
        "theme_set_agreement": float(same_themes),
        "mixed_agreement": float(same_mixed),
        "bit_identical": float(identical),
    }


def lever(model, texts, name, variant, repeats, precision="auto", base=baseline) -> dict:
    """``base`` and ``variant`` (context manager factories) alternated ``repeats`` times."""
    ratios, base_rates, rates, cpu_ratios, agree = [], [], [], [], {}
    for _ in range(repeats):
        with base():
            ref, b_s = run(model, texts)
        b_cpu = run.cpu
        with variant():
            other, o_s = run(model, texts, precision)
        base_rates.append(len(texts) / b_s)
        rates.append(len(texts) / o_s)
        ratios.append(b_s / o_s)
        cpu_ratios.append(b_cpu / run.cpu)
        agree = compare(ref, other)
    out = {"baseline_per_s": base_rates, "per_s": rates, "ratio": ratios, "cpu_time_ratio": cpu_ratios, **agree}
    print(
        f"{name:10} baseline {' '.join(f'{r:6.1f}' for r in base_rates)} /s | lever "
        f"{' '.join(f'{r:6.1f}' for r in rates)} /s | ratio {' '.join(f'{r:.3f}' for r in ratios)} | "
        f"CPU-time ratio {' '.join(f'{r:.3f}' for r in cpu_ratios)} | "
        f"sentiment {agree['sentiment_agreement']:.2%} themes {agree['theme_set_agreement']:.2%} "
        f"mixed {agree['mixed_agreement']:.2%} bit-identical {agree['bit_identical']:.2%}",
        flush=True,
    )
    return out


class InMainThread:
    """``stream.ReadAhead``'s interface without the thread: each chunk read and prepared when asked for."""

    def __init__(self, items, depth=1):
        self._items = iter(items)

    def __iter__(self):
        return self._items

    def __enter__(self):
        return self._items

    def __exit__(self, *exc):
        pass


def reader_lever(model, rows: int, repeats: int) -> dict:
    import tempfile
    from pathlib import Path

    texts = benchmark_sets(rows, seed=11)["short"]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.csv"
        with src.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow(["id", "kommentar"])
            w.writerows([i + 1, t] for i, t in enumerate(texts))
        outs, times = {}, {"main thread": [], "reader thread": []}
        for r in range(repeats):
            for name in times:
                out = Path(tmp) / f"out-{name.split()[0]}-{r}.csv"
                with patched(stream, "ReadAhead", InMainThread) if name == "main thread" else contextlib.nullcontext():
                    start = time.perf_counter()
                    classify_file(src, out, model=model)
                    times[name].append(time.perf_counter() - start)
                outs[name] = out.read_bytes()
    base, ahead = times["main thread"], times["reader thread"]
    result = {
        "rows": rows,
        "main_thread_per_s": [rows / t for t in base],
        "reader_thread_per_s": [rows / t for t in ahead],
        "ratio": [b / a for b, a in zip(base, ahead)],
        "outputs_byte_identical": outs["main thread"] == outs["reader thread"],
    }
    print(
        f"reader     classify_file {rows} short comments CSV->CSV: main thread "
        f"{' '.join(f'{v:6.1f}' for v in result['main_thread_per_s'])} /s | reader thread "
        f"{' '.join(f'{v:6.1f}' for v in result['reader_thread_per_s'])} /s | ratio "
        f"{' '.join(f'{v:.3f}' for v in result['ratio'])} | outputs byte-identical {result['outputs_byte_identical']}",
        flush=True,
    )
    return result


def compiled(model):
    @contextlib.contextmanager
    def variant():
        originals = [layer.forward for layer in model.encoder.layers]
        for layer, fn in zip(model.encoder.layers, compiled.fns):
            layer.forward = fn
        try:
            with baseline():  # the weight cache (a dict) would break the graph: inductor casts in the graph
                yield
        finally:
            for layer, fn in zip(model.encoder.layers, originals):
                layer.forward = fn

    compiled.fns = [torch.compile(layer.forward, dynamic=True) for layer in model.encoder.layers]
    return variant


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip", default="")
    ap.add_argument("--e2e-rows", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: torch's default)")
    ap.add_argument("--out", default=None, help="results file name under results/ (default: by the levers run)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    skip = set(args.skip.split(","))
    texts = real_texts(args.n)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; {len(texts)} real comments, median "
        f"{np.median([len(t.split()) for t in texts]):.0f} words",
        flush=True,
    )
    model = load_model()
    model.predict(texts[:64])  # warm-up
    results = {}
    if "cast" not in skip:
        results["cast_once"] = lever(model, texts, "cast once", contextlib.nullcontext, args.repeats)
    if "pack" not in skip:
        before, today = (lambda on=on: packing(model, on) for on in (False, True))
        results["pack"] = lever(model, texts, "pack", today, args.repeats, base=before)
    if "pad8" not in skip:
        results["pad8"] = lever(model, texts, "pad 8", lambda: patched(segments, "PAD_MULTIPLE", 8), args.repeats)
    if "int8" not in skip:
        quantise(model)
        variant = lambda: patched(bert._Layer, "_linear", lambda self, x, name: self._q[name](x))  # noqa: E731
        results["int8"] = lever(model, texts, "int8", variant, args.repeats, precision="fp32")
    if not {"w8a8", "w8a8sub"} <= skip:
        for i, layer in enumerate(model.encoder.layers):
            layer.index = i
        results["w8a8_calibration"] = calibrate(model, corpus_train(192))
    if "w8a8" not in skip:
        results["w8a8"] = lever(model, texts, "w8a8", w8a8, args.repeats, base=contextlib.nullcontext)
    if "w8a8sub" not in skip:
        variant = lambda: w8a8(["attn_out", "ffn_in"])  # noqa: E731
        results["w8a8sub"] = lever(model, texts, "w8a8 sub", variant, args.repeats, base=contextlib.nullcontext)
    if "reader" not in skip:
        results["reader"] = reader_lever(model, args.e2e_rows, args.repeats)
    if "compile" not in skip:
        variant = compiled(model)
        start = time.perf_counter()
        with variant():
            run(model, texts[:200])
        first = time.perf_counter() - start
        results["compile"] = lever(model, texts, "compile", variant, args.repeats, base=contextlib.nullcontext)
        r = results["compile"]
        per_base, per_comp = 1 / np.mean(r["baseline_per_s"]), 1 / np.mean(r["per_s"])
        r["first_200_seconds_incl_compile"] = first
        r["pays_after_comments"] = first / (per_base - per_comp) if per_base > per_comp else None
        print(f"compile: first 200 comments incl. compilation {first:.0f} s; pays after {r['pays_after_comments']}")
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    name = args.out or ("default_levers.json" if {"w8a8", "w8a8sub"} <= skip else "default_levers_w8a8.json")
    (ROOT / "benchmarks" / "results" / name).write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
