"""A compact, inference-only BERT encoder that loads a transformers ``BertModel`` directory.

Why: importing transformers' model code costs ~3 s on a 2-core laptop, more than the rest of a cold
start together. This module computes the same function as ``transformers.BertModel`` (absolute
positions, post-layer-norm, no pooler) with plain torch, reads the weights from ``model.safetensors``
and folds a LoRA adapter into them (W + B·A·alpha/r), so that ``classify`` never imports transformers
or peft. Anything it does not cover (another architecture, relative positions, an activation it does
not know) makes :func:`supported` return a reason, and the caller falls back to transformers.
Training always uses transformers + peft; this path only predicts. For CPU prediction the
word-embedding matrix stays in the file and only the rows a batch uses are read (:mod:`stamning.encoders.embeddings`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from stamning.encoders.embeddings import LazyRows
from stamning.errors import ModelError

ROW_MULTIPLE = 16  # the layers compute a multiple of this many token rows (see layer_rows)
# Every dense product runs on at least this many rows (zero rows added, then dropped). With AMX, oneDNN's bf16
# kernel for the FFN's output product (1,536 → 384) sums in another order for 48–496 rows than for 16, 32 or
# 512 and more (measured on torch 2.13, benchmarks/README.md), so a comment's result would depend on how many
# comments share its batch. The other products agreed at every row count; the floor costs only small batches.
# (bf16 only: fp32 products are left as they were.)
MIN_PRODUCT_ROWS = 512

ACTIVATIONS = {
    "gelu": lambda x: F.gelu(x),
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "relu": F.relu,
}


@dataclass(frozen=True)
class BertShape:
    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    hidden_act: str

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> BertShape:
        return cls(**{name: config[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class BertOutput:
    """One forward pass: the token states ``[batch, tokens, hidden]`` (what transformers calls them)."""

    last_hidden_state: torch.Tensor


def supported(config: dict[str, Any]) -> str | None:
    """``None`` when this module computes exactly what transformers would; otherwise the reason not."""
    if config.get("model_type") != "bert":
        return f"model_type {config.get('model_type')!r} är inte 'bert'"
    if config.get("position_embedding_type", "absolute") != "absolute":
        return "relativa positionsinbäddningar"
    if config.get("is_decoder") or config.get("add_cross_attention"):
        return "en avkodarkonfiguration"
    if config.get("hidden_act", "gelu") not in ACTIVATIONS:
        return f"aktiveringsfunktionen {config.get('hidden_act')!r}"
    missing = [n for n in BertShape.__dataclass_fields__ if n not in config]
    return f"config.json saknar {', '.join(missing)}" if missing else None


class _Layer(nn.Module):
    qkv_weight: nn.Parameter
    qkv_bias: nn.Parameter
    attn_out_weight: nn.Parameter
    attn_out_bias: nn.Parameter
    attn_norm_weight: nn.Parameter
    attn_norm_bias: nn.Parameter
    ffn_in_weight: nn.Parameter
    ffn_in_bias: nn.Parameter
    ffn_out_weight: nn.Parameter
    ffn_out_bias: nn.Parameter
    ffn_norm_weight: nn.Parameter
    ffn_norm_bias: nn.Parameter

    def __init__(self, weights: dict[str, torch.Tensor], shape: BertShape):
        super().__init__()
        for name, tensor in weights.items():
            self.register_parameter(name.replace(".", "_"), nn.Parameter(tensor, requires_grad=False))
        self.heads, self.eps, self.hidden = shape.num_attention_heads, shape.layer_norm_eps, shape.hidden_size
        self.act = ACTIVATIONS[shape.hidden_act]
        self._cast: dict[str, tuple[tuple, torch.Tensor, torch.Tensor]] = {}  # name -> (key, weight, bias)

    def __getstate__(self) -> dict[str, Any]:
        """A deep copy leaves the kept weights behind (a packed one has no storage to copy); they are made again on
        first use."""
        return {**super().__getstate__(), "_cast": {}}

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        """``F.linear`` with this layer's ``name`` weights. Under autocast the weights are cast once and kept
        (one copy per weight, made again if the weight changes): autocast caches casts only for weights that
        require grad, so it would cast every weight again on every batch. On a CPU with oneDNN's bf16 kernels
        the kept copy is also packed once into oneDNN's own layout (:func:`_kept_weight`). Same outputs."""
        weight, bias = getattr(self, name + "_weight"), getattr(self, name + "_bias")
        kind = x.device.type
        if not (torch.is_autocast_enabled(kind) and weight.dtype == torch.float32):
            return F.linear(x, weight, bias)
        dtype = torch.get_autocast_dtype(kind)
        key = (dtype, weight.device, weight.data_ptr(), weight._version, bias._version)
        if name not in self._cast or self._cast[name][0] != key:
            self._cast[name] = (key, _kept_weight(weight, dtype), bias.to(dtype))
        return _floored_linear(x, *self._cast[name][1:])

    def forward(
        self, x: torch.Tensor, tokens: torch.Tensor, shape: tuple[int, int], keep: torch.Tensor | None
    ) -> torch.Tensor:
        """``x``: the states of the real tokens only, ``[tokens, hidden]`` (``tokens``: their positions in the
        flattened ``shape`` = (batch, width)). Every per-token product skips the padding; only attention
        sees the padded grid, where padded keys are masked out (so their values never matter)."""
        (b, n), h = shape, self.hidden
        qkv = self._linear(x, "qkv")
        grid = qkv.new_zeros(b * n, qkv.shape[1]).index_copy_(0, tokens, qkv)
        q, k, v = grid.view(b, n, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=keep).transpose(1, 2).reshape(b * n, h)[tokens]
        x = F.layer_norm(x + self._linear(ctx, "attn_out"), (h,), self.attn_norm_weight, self.attn_norm_bias, self.eps)
        y = self._linear(self.act(self._linear(x, "ffn_in")), "ffn_out")
        return F.layer_norm(x + y, (h,), self.ffn_norm_weight, self.ffn_norm_bias, self.eps)


class BertEncoder(nn.Module):
    """``BertModel(add_pooling_layer=False)``'s forward: returns a :class:`BertOutput` (``last_hidden_state``;
    the states of real tokens equal transformers', padded positions are zeros: the layers skip them).
    Meets :class:`stamning.encoders.protocols.Encoder`; ``config`` is its :class:`BertShape`.

    Built directly from its weights (no random initialisation: that alone costs seconds for a
    250k-token embedding matrix)."""

    word: nn.Parameter  # absent when the rows are read on demand (``lazy_rows``)
    position: nn.Parameter
    token_type: nn.Parameter
    norm_weight: nn.Parameter
    norm_bias: nn.Parameter

    def __init__(
        self,
        shape: BertShape,
        weights: dict[str, torch.Tensor | LazyRows],
        source_config: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.source_config = source_config or {}
        self.config = shape
        self.eps, self.hidden = shape.layer_norm_eps, shape.hidden_size
        word = weights["word"]
        self.lazy_rows = word if isinstance(word, LazyRows) else None
        for name in ("word", "position", "token_type", "norm_weight", "norm_bias"):
            tensor = weights[name]
            if isinstance(tensor, torch.Tensor):
                self.register_parameter(name, nn.Parameter(tensor, requires_grad=False))
        self.layers = nn.ModuleList(
            _Layer(
                {
                    k.split(".", 2)[2]: v
                    for k, v in weights.items()
                    if k.startswith(f"layers.{i}.") and isinstance(v, torch.Tensor)
                },
                shape,
            )
            for i in range(shape.num_hidden_layers)
        )

    @property
    def embedding_shape(self) -> tuple[int, int]:
        """(vocabulary, hidden size) of the word-embedding matrix, read on demand or not."""
        rows, width = self.lazy_rows.shape if self.lazy_rows is not None else self.word.shape
        return int(rows), int(width)

    def save_pretrained(self, save_directory: str | Path, *, safe_serialization: bool = True) -> None:
        """Write a transformers ``BertModel`` directory (``config.json`` + ``model.safetensors``; always safetensors)."""
        from safetensors.torch import save_file

        out = Path(save_directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.json").write_text(json.dumps(self.source_config, indent=2), "utf-8")
        params: dict[str, torch.Tensor] = dict(self.named_parameters())
        if self.lazy_rows is not None:
            params["word"] = self.lazy_rows.full()
        weights = {k: v.detach().contiguous() for k, v in _unmap(params, len(self.layers)).items()}
        save_file(weights, str(out / "model.safetensors"), metadata={"format": "pt"})

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        """The layers' input ``[batch, tokens, hidden]``: word, position and token-type embeddings, layer-normed."""
        n = input_ids.shape[1]
        words = self.lazy_rows.lookup(input_ids) if self.lazy_rows is not None else F.embedding(input_ids, self.word)
        x = words + self.position[:n] + self.token_type[0]
        return F.layer_norm(x, (self.hidden,), self.norm_weight, self.norm_bias, self.eps)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> BertOutput:
        (b, n), h = input_ids.shape, self.hidden
        x = self.embed(input_ids)
        keep = None if attention_mask is None else attention_mask.bool()[:, None, None, :]
        tokens, real = layer_rows(torch.ones_like(input_ids) if attention_mask is None else attention_mask)
        states = x.reshape(b * n, h)[tokens]
        for layer in self.layers:
            states = layer(states, tokens, (b, n), keep)
        out = states.new_zeros(b * n, h).index_copy_(0, tokens[:real], states[:real])
        return BertOutput(last_hidden_state=out.view(b, n, h))


def _kept_weight(weight: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The copy of ``weight`` that the products under autocast use: cast to ``dtype``, and for bf16 on a CPU with
    oneDNN's bf16 kernels packed once into oneDNN's layout, which ``F.linear`` would otherwise redo on every call
    (the same kernel then runs without that reordering: bit-identical at every row count from ``MIN_PRODUCT_ROWS``
    on, measured on AMX; ``predict`` on short comments 1.1-1.3x faster, benchmarks/README.md, session 10)."""
    cast = weight.to(dtype)
    if weight.device.type == "cpu" and dtype == torch.bfloat16 and _packs_bf16():
        return torch.ops.mkldnn._reorder_linear_weight(cast, None)
    return cast


def _packs_bf16() -> bool:
    return torch.backends.mkldnn.is_available() and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def _floored_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """The product of ``x`` with a kept weight (:func:`_kept_weight`) computed on at least ``MIN_PRODUCT_ROWS`` rows
    (zero rows added, then dropped): in bf16 a row's result then does not depend on how many rows share it."""
    flat = x.reshape(-1, x.shape[-1])
    rows = flat.shape[0]
    if rows < MIN_PRODUCT_ROWS:
        flat = torch.cat([flat, flat.new_zeros(MIN_PRODUCT_ROWS - rows, flat.shape[1])])
    return _dense(flat, weight, bias)[:rows].reshape(*x.shape[:-1], weight.shape[0])


def _dense(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """One dense product of 2-D ``x`` with a kept weight: oneDNN's packed kernel, or ``F.linear`` (also for an input
    that needs a gradient: the packed kernel has no backward, and autograd would silently pass none through it)."""
    if weight.is_mkldnn and not (x.requires_grad and torch.is_grad_enabled()):
        return torch.ops.mkldnn._linear_pointwise(x.to(weight.dtype), weight, bias, "none", [], "")
    return F.linear(x, weight.to_dense() if weight.is_mkldnn else weight, bias)


def layer_rows(mask: torch.Tensor) -> tuple[torch.Tensor, int]:
    """The flattened positions the layers compute: every real token, then as many padded positions as make
    their number a multiple of 16 (where the grid has them). Padded keys are masked in attention, so the
    extra rows change nothing; a fixed row multiple keeps each row's products independent of how many
    comments share the batch (a matrix product may round differently with an odd row count). Returns the
    positions and how many of them (the first ones) are real tokens."""
    flat = mask.reshape(-1) != 0
    real, pad = flat.nonzero().squeeze(1), (~flat).nonzero().squeeze(1)
    extra = min(-len(real) % ROW_MULTIPLE, len(pad))
    return (torch.cat([real, pad[:extra]]) if extra else real), len(real)


def _strip_prefix(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    if any(k.startswith("bert.") for k in weights):
        return {k[5:]: v for k, v in weights.items() if k.startswith("bert.")}
    return weights


def merge_lora(weights: dict[str, torch.Tensor], adapter: dict[str, torch.Tensor], alpha: float, r: int) -> None:
    """Fold peft LoRA pairs (``….lora_A.weight`` / ``….lora_B.weight``) into ``weights`` in place."""
    scale = alpha / r
    prefix = "base_model.model."
    for key_a, a in adapter.items():
        if not key_a.endswith(".lora_A.weight"):
            continue
        stem = key_a[: -len(".lora_A.weight")]
        b = adapter.get(stem + ".lora_B.weight")
        target = (stem[len(prefix) :] if stem.startswith(prefix) else stem) + ".weight"
        if b is None or target not in weights:
            raise ModelError(
                f"adapterposten {stem!r} passar inte grundmodellen; modellen tränades på en annan grundmodell – ge --model en komplett modellmapp eller bygg om den med stamning train"
            )
        weights[target] = weights[target] + (b.float() @ a.float()) * scale
    unknown = [k for k in adapter if not (k.endswith(".lora_A.weight") or k.endswith(".lora_B.weight"))]
    if unknown:
        raise ModelError(
            f"adaptern har poster som stamning inte kan slå ihop ({unknown[0]!r}); läs in den med transformers + peft"
        )


_LAYER_NAMES = {
    "attn_out": "attention.output.dense",
    "attn_norm": "attention.output.LayerNorm",
    "ffn_in": "intermediate.dense",
    "ffn_out": "output.dense",
    "ffn_norm": "output.LayerNorm",
}
_EMBEDDING_NAMES = {
    "word": "word_embeddings.weight",
    "position": "position_embeddings.weight",
    "token_type": "token_type_embeddings.weight",
    "norm_weight": "LayerNorm.weight",
    "norm_bias": "LayerNorm.bias",
}


def _remap(weights: dict[str, torch.Tensor], layers: int) -> dict[str, torch.Tensor]:
    """transformers' parameter names → this module's (q, k and v concatenated into one matrix)."""
    out = {ours: weights["embeddings." + theirs] for ours, theirs in _EMBEDDING_NAMES.items()}
    for i in range(layers):
        src, dst = f"encoder.layer.{i}.", f"layers.{i}."
        for kind in ("weight", "bias"):
            out[dst + "qkv." + kind] = torch.cat(
                [weights[f"{src}attention.self.{p}.{kind}"] for p in ("query", "key", "value")]
            )
            for ours, theirs in _LAYER_NAMES.items():
                out[f"{dst}{ours}.{kind}"] = weights[f"{src}{theirs}.{kind}"]
    return out


def _unmap(params: Mapping[str, torch.Tensor], layers: int) -> dict[str, torch.Tensor]:
    """This module's parameter names → transformers' (the inverse of :func:`_remap`)."""
    out = {"embeddings." + theirs: params[ours] for ours, theirs in _EMBEDDING_NAMES.items()}
    for i in range(layers):
        src, dst = f"layers.{i}.", f"encoder.layer.{i}."
        for kind in ("weight", "bias"):
            for part, tensor in zip(("query", "key", "value"), params[f"{src}qkv_{kind}"].chunk(3)):
                out[f"{dst}attention.self.{part}.{kind}"] = tensor
            for ours, theirs in _LAYER_NAMES.items():
                out[f"{dst}{theirs}.{kind}"] = params[f"{src}{ours}_{kind}"]
    return out


def load_bert(
    directory: Path,
    adapter: dict[str, torch.Tensor] | None = None,
    lora: dict[str, Any] | None = None,
    lazy_embeddings: bool = False,
) -> BertEncoder:
    """The encoder in ``directory`` (``config.json`` + ``model.safetensors``), with a LoRA adapter merged in.

    ``lazy_embeddings``: read word-embedding rows from the file only when a batch first uses them
    (:class:`~stamning.encoders.embeddings.LazyRows`; CPU prediction), instead of holding the whole matrix."""
    from safetensors.torch import load_file

    from stamning.io.modelfiles import check_safetensors, read_json

    config = read_json(directory / "config.json")
    reason: str | None = "config.json är inte ett JSON-objekt"
    if isinstance(config, dict):
        reason = supported(config)
    else:
        config = {}
    if reason:
        raise ModelError(
            f"{directory}: den inbyggda BERT-kodaren kan inte läsa in den ({reason}); använd backend='transformers'"
        )
    shape = BertShape.from_config(config)
    check_safetensors(directory / "model.safetensors")  # claimed sizes checked before anything is allocated
    stored = load_file(str(directory / "model.safetensors"))
    weights = _strip_prefix(stored)
    word_key = "embeddings.word_embeddings.weight"
    word = weights.get(word_key)
    if adapter:
        merge_lora(weights, adapter, alpha=float((lora or {}).get("alpha", 16)), r=int((lora or {}).get("r", 8)))
    try:
        ours: dict[str, torch.Tensor | LazyRows] = dict(_remap(weights, shape.num_hidden_layers))
    except KeyError as err:
        raise ModelError(
            f"{directory}: model.safetensors saknar {err} för formen i config.json; modellmappen är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
        ) from None
    if lazy_embeddings and word is not None and weights[word_key] is word:  # an adapter that changes it needs it whole
        ours["word"] = LazyRows(directory / "model.safetensors", word_key if word_key in stored else "bert." + word_key)
    encoder = BertEncoder(shape, ours, config)
    _check_shapes(encoder, shape, directory)
    return encoder.eval()


def _check_shapes(encoder: BertEncoder, shape: BertShape, directory: Path) -> None:
    h = shape.hidden_size
    expected = {
        "word": (shape.vocab_size, h),
        "position": (shape.max_position_embeddings, h),
        "layers.0.qkv_weight": (3 * h, h),
        "layers.0.ffn_in_weight": (shape.intermediate_size, h),
    }
    found = {name: tuple(p.shape) for name, p in encoder.named_parameters()}
    found["word"] = encoder.embedding_shape  # read on demand or held whole
    for name, want in expected.items():
        if name in found and found[name] != want:
            raise ModelError(
                f"{directory}: {name} har formen {found[name]}, men config.json anger {want}; modellmappen är skadad – bygg om den med `stamning setup`, eller ge --model en komplett modellmapp"
            )
