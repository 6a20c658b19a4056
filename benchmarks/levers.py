"""Levers for the classify path that are not on by default, measured side by side on one data set.

Runs the default model's encoder + both heads on the same texts (length-sorted batches of 64, dynamic
padding) with each variant and prints comments/second, the ratio to stamning's default (bf16 autocast,
2 threads) and the sentiment/theme-label agreement with fp32:

- torch fp32 and bf16 autocast (the default), with 1 and 2 intra-op threads;
- ONNX Runtime fp32 and ONNX Runtime with int8 dynamic quantisation (needs the ``bench`` extra:
  ``pip install -e '.[bench]'``);
- ``torch.compile`` (inductor) with dynamic shapes, bf16;
- int8 weights through PyTorch's own dynamically quantised linear layers (``torch.ao``, x86/fbgemm with
  AVX512-VNNI), on the transformers encoder holding the same weights (the built-in encoder has no
  ``nn.Linear`` modules to swap);
- pruning the 250k-token embedding matrix to the tokens the training corpus uses: measured on real
  tweets (``../shared/data/real-dev``, which the corpus never saw) by mapping every other token to
  ``<unk>``, as a pruned model would have to: token coverage, memory saved, label agreement.

    cd benchmarks && ../.venv/bin/python levers.py [--n 1000] [--set mix] [--skip onnx,compile,int8,prune]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from _common import ROOT, benchmark_sets
from stamning.model.loading import load_model


class Both(nn.Module):
    """Encoder + pooling + both heads as one graph (what gets exported / compiled)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        s, t = self.model(input_ids, attention_mask)
        return torch.softmax(s.float(), -1), torch.sigmoid(t.float())


def batches(model, texts, size=64):
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), size):
        idx = order[start : start + size]
        enc = model.tokenizer(
            [model.config.input_prefix + texts[i] for i in idx],
            padding=True,
            truncation=True,
            max_length=model.config.max_length,
            return_tensors="pt",
        )
        yield idx, enc["input_ids"], enc["attention_mask"]


def run_torch(model, fn, texts, bf16):
    sent, themes = (
        np.zeros((len(texts), 5), np.float32),
        np.zeros((len(texts), len(model.config.theme_keys)), np.float32),
    )
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for idx, ids, mask in batches(model, texts):
            s, t = fn(ids, mask)
            sent[idx], themes[idx] = s.float().numpy(), t.float().numpy()
    return sent, themes


def run_onnx(model, session, texts):
    sent, themes = (
        np.zeros((len(texts), 5), np.float32),
        np.zeros((len(texts), len(model.config.theme_keys)), np.float32),
    )
    for idx, ids, mask in batches(model, texts):
        s, t = session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        sent[idx], themes[idx] = s, t
    return sent, themes


def onnx_sessions(model, work: Path):
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = work / "model.onnx"
    ids = torch.ones(2, 16, dtype=torch.long)
    torch.onnx.export(
        Both(model).eval(),
        (ids, torch.ones_like(ids)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["sentiment", "themes"],
        opset_version=17,
        dynamo=False,
        dynamic_axes={"input_ids": {0: "b", 1: "n"}, "attention_mask": {0: "b", 1: "n"}},
    )
    int8 = work / "model.int8.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = torch.get_num_threads()
    make = lambda p: ort.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"])  # noqa: E731
    sizes = {"fp32": fp32.stat().st_size / 2**20, "int8": int8.stat().st_size / 2**20}
    return make(fp32), make(int8), sizes


def prune_check(model, n: int) -> dict:
    import pandas as pd

    from stamning.training.labelled import load_labelled

    real = ROOT.parent / "shared" / "data" / "real-dev" / "swe-sentiment-dataset.csv"
    if not real.is_file():
        return {}
    train = load_labelled(ROOT / "data" / "corpus" / "train").texts
    kept = {i for ids in model.tokenizer([model.config.input_prefix + t for t in train])["input_ids"] for i in ids}
    kept.add(model.tokenizer.pad_token_id)
    unk = model.tokenizer._tok.token_to_id("<unk>")
    texts = pd.read_csv(real)["text"].astype(str).tolist()[:n]
    full = run_torch(model, Both(model).eval(), texts, bf16=False)
    seen = total = 0
    sent = np.zeros_like(full[0])
    themes = np.zeros_like(full[1])
    with torch.inference_mode():
        for idx, ids, mask in batches(model, texts):
            real_tokens = mask.bool()
            inside = torch.tensor(np.isin(ids.numpy(), list(kept)))
            seen += int((inside & real_tokens).sum())
            total += int(real_tokens.sum())
            s, t = Both(model)(torch.where(inside, ids, torch.full_like(ids, unk)), mask)
            sent[idx], themes[idx] = s.numpy(), t.numpy()
    rows, width = model.encoder.embedding_shape
    return {
        "kept_tokens": len(kept),
        "vocabulary": rows,
        "embedding_mb_saved": (rows - len(kept)) * width * 4 / 2**20,
        "real_token_coverage": seen / total,
        "real_sentiment_agreement": float(np.mean(sent.argmax(1) == full[0].argmax(1))),
        "real_theme_agreement": float(np.mean(((themes >= 0.5) == (full[1] >= 0.5)).all(1))),
        "n_real": len(texts),
    }


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--set", default="mix")
    ap.add_argument("--skip", default="")
    args = ap.parse_args()
    skip = set(args.skip.split(","))
    texts = benchmark_sets(args.n)[args.set]
    model = load_model()
    both = Both(model).eval()
    threads = torch.get_num_threads()
    results = {}
    ref, _ = timed(lambda: run_torch(model, both, texts, bf16=False))

    def record(name, out, seconds, note=""):
        sent_agree = float(np.mean(out[0].argmax(1) == ref[0].argmax(1)))
        theme_agree = float(np.mean(((out[1] >= 0.5) == (ref[1] >= 0.5)).all(1)))
        results[name] = {
            "per_s": len(texts) / seconds,
            "sentiment_agreement_vs_fp32": sent_agree,
            "theme_agreement_vs_fp32": theme_agree,
            "note": note,
        }
        base = results.get("torch bf16, 2 threads (default)", results[name])["per_s"]
        print(
            f"{name:34} {len(texts) / seconds:7.1f} /s  ({len(texts) / seconds / base:5.2f}x default)  "
            f"sentiment agreement {sent_agree:6.1%}  theme sets {theme_agree:6.1%}  {note}",
            flush=True,
        )

    out, s = timed(lambda: run_torch(model, both, texts, bf16=True))
    record("torch bf16, 2 threads (default)", out, s)
    out, s = timed(lambda: run_torch(model, both, texts, bf16=False))
    record("torch fp32, 2 threads", out, s)
    torch.set_num_threads(1)
    out, s = timed(lambda: run_torch(model, both, texts, bf16=True))
    record("torch bf16, 1 thread", out, s)
    torch.set_num_threads(threads)
    if "onnx" not in skip:
        with tempfile.TemporaryDirectory() as tmp:
            (fp32, int8, sizes), s = timed(lambda: onnx_sessions(model, Path(tmp)))
            note = f"export+quantise {s:.0f} s, files {sizes['fp32']:.0f} / {sizes['int8']:.0f} MB"
            out, s = timed(lambda: run_onnx(model, fp32, texts))
            record("onnxruntime fp32", out, s, note)
            out, s = timed(lambda: run_onnx(model, int8, texts))
            record("onnxruntime int8 (dynamic)", out, s)
    if "int8" not in skip:
        import warnings

        from stamning.model.classifier import StamningModel
        from stamning.model.loading import default_model_dir

        plain = StamningModel.from_pretrained(default_model_dir(), backend="transformers")
        with warnings.catch_warnings():  # torch warns that quantised tensor types are deprecated
            warnings.simplefilter("ignore")
            int8 = torch.ao.quantization.quantize_dynamic(plain, {nn.Linear}, dtype=torch.qint8)
        out, s = timed(lambda: run_torch(int8, Both(int8).eval(), texts, bf16=False))
        record("torch.ao int8 dynamic (linear)", out, s)
        out, s = timed(lambda: run_torch(plain, Both(plain).eval(), texts, bf16=False))
        record("transformers encoder fp32 (int8's base)", out, s)
    if "compile" not in skip:
        compiled = torch.compile(both, dynamic=True)
        _, warm = timed(lambda: run_torch(model, compiled, texts[:64], bf16=True))
        out, s = timed(lambda: run_torch(model, compiled, texts, bf16=True))
        record("torch.compile bf16 (dynamic)", out, s, f"first batches incl. compilation {warm:.0f} s")
    if "prune" not in skip:
        p = prune_check(model, args.n)
        if p:
            results["prune_to_corpus_tokens"] = p
            print(
                f"pruning to the corpus's {p['kept_tokens']:,} of {p['vocabulary']:,} tokens: saves "
                f"{p['embedding_mb_saved']:.0f} MB; on {p['n_real']} real tweets {p['real_token_coverage']:.1%} of tokens "
                f"are kept, sentiment agreement {p['real_sentiment_agreement']:.1%}, theme sets "
                f"{p['real_theme_agreement']:.1%}",
                flush=True,
            )
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / f"levers_{args.set}.json").write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
