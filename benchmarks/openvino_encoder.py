"""A fused inference runtime for the encoder: OpenVINO (bf16 on AMX) against the default path, one process.

Issue 16 asks whether anything beyond eager PyTorch closes the gap between the default path and the ceiling of
``ceiling.py``: on short comments most of the default path's time is outside the dense products (attention, casts,
GELU, layer norms, gathers; each a separate eager operation). OpenVINO compiles the whole encoder into fused
kernels (oneDNN brgemm with AMX, fused attention, layer norm and activation) and runs it at bf16 precision on a CPU
that has it. This script converts the default model's encoder (LoRA folded in, the same weights) into an OpenVINO
model of the same function (transformers' ``BertModel`` arithmetic on the padded grid, padded keys masked), swaps it
in for the built-in encoder's layers (embeddings and everything after the encoder stay as they are), and alternates
``model.predict`` with the default path (A B, B A, ..., after a whole warm-up run of each; ``classify``'s defaults)
on the same texts: wall and CPU-time ratio per pair, agreement per comment (sentiment label, theme set, mixed flag,
every probability). As set up here OpenVINO computes the padded grid (the built-in layers skip the padding) and
takes and returns fp32 arrays through numpy every batch. Nothing in ``src/`` uses OpenVINO.

    .venv/bin/pip install -e ".[bench]"   # openvino is in the bench extra only, not a dependency of stamning
    cd benchmarks && ../.venv/bin/python openvino_encoder.py [--n 1000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time

import torch
import torch.nn.functional as F

from _common import ROOT, benchmark_sets, machine
from default_levers import compare, real_texts, run
from stamning.encoders.bert import BertEncoder, BertOutput
from stamning.model.loading import load_model


class DenseLayers(torch.nn.Module):
    """The encoder's layers on the padded grid (what transformers computes), for conversion only."""

    def __init__(self, encoder: BertEncoder):
        super().__init__()
        self.layers = encoder.layers
        self.hidden = encoder.hidden

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        keep = mask.bool()[:, None, None, :]
        for layer in self.layers:
            ffn_out = (layer.ffn_out_weight, layer.ffn_out_bias)
            qkv = F.linear(x, layer.qkv_weight, layer.qkv_bias)
            q, k, v = qkv.reshape(b, n, 3, layer.heads, h // layer.heads).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keep).transpose(1, 2).reshape(b, n, h)
            x = F.layer_norm(
                x + F.linear(ctx, layer.attn_out_weight, layer.attn_out_bias),
                (h,),
                layer.attn_norm_weight,
                layer.attn_norm_bias,
                layer.eps,
            )
            y = F.linear(layer.act(F.linear(x, layer.ffn_in_weight, layer.ffn_in_bias)), *ffn_out)
            x = F.layer_norm(x + y, (h,), layer.ffn_norm_weight, layer.ffn_norm_bias, layer.eps)
        return x


def compile_openvino(encoder: BertEncoder, precision: str):
    """The encoder's layers as a compiled OpenVINO model (dynamic batch and width) and the seconds it took."""
    import openvino as ov

    start = time.perf_counter()
    h = encoder.hidden
    example = (torch.zeros(2, 16, h), torch.ones(2, 16, dtype=torch.int64))
    with torch.no_grad():
        converted = ov.convert_model(
            DenseLayers(encoder).eval(),
            example_input=example,
            input=[ov.PartialShape([-1, -1, h]), ov.PartialShape([-1, -1])],
        )
    config = {"INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY"}
    compiled = ov.Core().compile_model(converted, "CPU", config)
    return compiled.create_infer_request(), time.perf_counter() - start


def openvino_forward(encoder: BertEncoder, request):
    """A ``forward`` for ``encoder``: its own embeddings (fp32), then the OpenVINO layers; padded rows zeroed."""

    def forward(input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> BertOutput:
        mask = torch.ones_like(input_ids) if attention_mask is None else attention_mask
        with torch.autocast("cpu", enabled=False):
            x = encoder.embed(input_ids)
        out = request.infer([x.float().contiguous().numpy(), mask.numpy()])[0]
        return BertOutput(last_hidden_state=torch.from_numpy(out.copy()) * mask[..., None])

    return forward


def timed(model, texts):
    """``default_levers.run`` (``classify``'s defaults): predictions, wall seconds, CPU seconds."""
    preds, seconds = run(model, texts)
    return preds, seconds, run.cpu


def alternate(model, texts, swap, repeats: int) -> dict:
    """Default and OpenVINO ``repeats`` times, the order flipped every pair (A B, B A, ...) so that drift over the
    run does not favour one side; rates, wall and CPU-time ratio per pair, agreement with the default."""
    base_rates, rates, ratios, cpu_ratios, agree = [], [], [], [], {}
    for i in range(repeats):
        sides = {}
        for side in ("default", "openvino") if i % 2 == 0 else ("openvino", "default"):
            with swap() if side == "openvino" else contextlib.nullcontext():
                sides[side] = timed(model, texts)
        (ref, b_s, b_cpu), (other, o_s, o_cpu) = sides["default"], sides["openvino"]
        base_rates.append(len(texts) / b_s)
        rates.append(len(texts) / o_s)
        ratios.append(b_s / o_s)
        cpu_ratios.append(b_cpu / o_cpu)
        agree = compare(ref, other)  # the same every pair: both sides are deterministic
    return {
        "default_per_s": base_rates,
        "openvino_per_s": rates,
        "ratio": ratios,
        "cpu_time_ratio": cpu_ratios,
        **agree,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--precision", default="bf16", help="OpenVINO's INFERENCE_PRECISION_HINT (bf16 or f32)")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {machine()}")
    model = load_model()
    encoder = model.encoder
    request, seconds = compile_openvino(encoder, args.precision)
    print(f"OpenVINO: converted and compiled in {seconds:.1f} s ({args.precision})")

    @contextlib.contextmanager
    def swap():
        encoder.forward = openvino_forward(encoder, request)
        try:
            yield
        finally:
            del encoder.forward  # the class's forward again

    sets = {"short": benchmark_sets(args.n)["short"], "real": real_texts(args.n)}
    results: dict[str, object] = {"machine": machine(), "compile_seconds": seconds, "precision": args.precision}
    for name, texts in sets.items():
        model.predict(texts)  # a whole warm-up run of each side: first-call costs and the allocator settle
        with swap():
            model.predict(texts)
        r = alternate(model, texts, swap, args.repeats)
        results[name] = r
        print(
            f"{name:6} default {' '.join(f'{x:6.1f}' for x in r['default_per_s'])} /s | OpenVINO "
            f"{' '.join(f'{x:6.1f}' for x in r['openvino_per_s'])} /s | ratio "
            f"{' '.join(f'{x:.2f}' for x in r['ratio'])} (CPU time {' '.join(f'{x:.2f}' for x in r['cpu_time_ratio'])})"
            f" | sentiment {r['sentiment_agreement']:.2%} themes {r['theme_set_agreement']:.2%} "
            f"mixed {r['mixed_agreement']:.2%} bit-identical {r['bit_identical']:.2%}",
            flush=True,
        )
    out = ROOT / "benchmarks" / "results" / "openvino_encoder.json"
    out.write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
