"""How fast could any implementation of the default model's arithmetic be on this CPU? A floor on the time.

The default ``classify`` path spends ~98 % of its time in the encoder, and ~all of the encoder's arithmetic is its
four dense products per layer (query/key/value, attention out, FFN in, FFN out). This script times **only those
products**, on exactly the real tokens of each text (no padding, no attention, no layer norm, no activation, no
tokenising, no heads), in bf16 with weights cast once (what the default path does) and in fp32, on the same texts
and batches of 32 as the default path. No implementation that keeps this arithmetic at bf16 precision can be faster
than that floor, so ``plain pass time / bf16 floor`` is a ceiling on the ratio "× one plain fp32 pass" (and
``pipelines time / bf16 floor`` on "× two pipelines") that any engineering of this model can reach here. Beside
it: the default path's measured ratio, one run, same process, same texts.

    cd benchmarks && python ceiling.py [--n 1000] [--sets short,long] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch
import torch.nn.functional as F

from _common import ROOT, benchmark_sets, machine
from stamning.model.classifier import StamningModel
from stamning.model.loading import default_model_dir, load_model
from throughput import plain_pipelines, run_pipelines, run_plain_pass, run_stamning


def token_lengths(model: StamningModel, texts: list[str]) -> list[int]:
    cfg = model.config
    enc = model.tokenizer([cfg.input_prefix + t for t in texts], truncation=True, max_length=cfg.max_length)
    return [len(ids) for ids in enc["input_ids"]]


def dense_floor(lengths: list[int], dtype: torch.dtype, hidden: int, inter: int, layers: int, batch: int) -> float:
    """Seconds for the encoder's dense products alone over the real tokens, length-sorted batches of ``batch``."""
    gen = torch.Generator().manual_seed(0)
    shapes = ((3 * hidden, hidden), (hidden, hidden), (inter, hidden), (hidden, inter))
    weights = [[torch.randn(s, generator=gen).to(dtype) for s in shapes] for _ in range(layers)]
    order = sorted(lengths)
    batches = [sum(order[i : i + batch]) for i in range(0, len(order), batch)]
    inputs = {n: torch.randn(n, hidden, generator=gen).to(dtype) for n in set(batches)}
    wide = {n: torch.randn(n, inter, generator=gen).to(dtype) for n in set(batches)}
    start = time.perf_counter()
    with torch.inference_mode():
        for n in batches:
            x, h = inputs[n], wide[n]
            for qkv, out, ffn_in, ffn_out in weights:
                F.linear(x, qkv)
                F.linear(x, out)
                F.linear(x, ffn_in)
                F.linear(h, ffn_out)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--sets", default="short,long")
    ap.add_argument("--repeats", type=int, default=3, help="the floors are the best of this many runs")
    args = ap.parse_args()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, cores {os.cpu_count()}; {machine()}", flush=True
    )
    model = load_model(None)
    reference = StamningModel.from_pretrained(default_model_dir(), backend="transformers")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity(hf_logging.CRITICAL)
    pipes = plain_pipelines(reference, "cpu")
    enc = reference.encoder.config
    shape = (enc.hidden_size, enc.intermediate_size, enc.num_hidden_layers)
    sets = benchmark_sets(args.n)
    results = {}
    for name in args.sets.split(","):
        texts = sets[name]
        lengths = token_lengths(model, texts)
        model.predict(texts[:8])
        timed = {}
        for label, run, target in (
            ("pipelines", run_pipelines, (pipes, reference)),
            ("plain_pass", run_plain_pass, (reference,)),
            ("stamning", run_stamning, (model,)),
        ):
            start = time.perf_counter()
            run(*target, texts)
            timed[label] = time.perf_counter() - start
        for dtype in (torch.bfloat16, torch.float32):
            floor = min(dense_floor(lengths, dtype, *shape, batch=32) for _ in range(args.repeats))
            timed[f"dense_floor_{str(dtype).removeprefix('torch.')}"] = floor
        floor = timed["dense_floor_bfloat16"]
        r = {
            "n": len(texts),
            "tokens": sum(lengths),
            "seconds": timed,
            "stamning_x_pipelines": timed["pipelines"] / timed["stamning"],
            "stamning_x_plain_pass": timed["plain_pass"] / timed["stamning"],
            "ceiling_x_pipelines": timed["pipelines"] / floor,
            "ceiling_x_plain_pass": timed["plain_pass"] / floor,
            "bf16_over_fp32_dense": timed["dense_floor_float32"] / floor,
            "stamning_share_of_floor": floor / timed["stamning"],
        }
        results[name] = r
        print(
            f"{name:5} n={r['n']} tokens={r['tokens']} | seconds: pipelines {timed['pipelines']:.1f}, plain pass "
            f"{timed['plain_pass']:.1f}, stamning {timed['stamning']:.2f}, dense floor bf16 {floor:.2f} / fp32 "
            f"{timed['dense_floor_float32']:.2f} | stamning {r['stamning_x_pipelines']:.2f}x pipelines, "
            f"{r['stamning_x_plain_pass']:.2f}x plain | ceiling {r['ceiling_x_pipelines']:.2f}x pipelines, "
            f"{r['ceiling_x_plain_pass']:.2f}x plain | bf16/fp32 dense {r['bf16_over_fp32_dense']:.2f}x | "
            f"floor / stamning {r['stamning_share_of_floor']:.0%}",
            flush=True,
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "ceiling_cpu.json").write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
