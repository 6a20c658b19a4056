"""The built-in encoder under bf16 autocast: weights cast once and kept, with exactly autocast's results."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from stamning.encoders import bert
from stamning.encoders.bert import BertShape, _Layer, _packs_bf16

SHAPE = BertShape(
    vocab_size=50,
    hidden_size=32,
    num_hidden_layers=1,
    num_attention_heads=4,
    intermediate_size=64,
    max_position_embeddings=64,
    type_vocab_size=1,
    layer_norm_eps=1e-12,
    hidden_act="gelu",
)


def _layer(seed: int = 0) -> _Layer:
    g = torch.Generator().manual_seed(seed)
    h, i = SHAPE.hidden_size, SHAPE.intermediate_size
    sizes = {"qkv": (3 * h, h), "attn_out": (h, h), "ffn_in": (i, h), "ffn_out": (h, i)}
    weights = {}
    for name, (o, n) in sizes.items():
        weights[f"{name}.weight"] = torch.randn(o, n, generator=g) * 0.2
        weights[f"{name}.bias"] = torch.randn(o, generator=g) * 0.1
    for name in ("attn_norm", "ffn_norm"):
        weights[f"{name}.weight"], weights[f"{name}.bias"] = torch.ones(h), torch.zeros(h)
    return _Layer(weights, SHAPE).eval()


def _autocast_every_call(layer: _Layer, x: torch.Tensor, name: str) -> torch.Tensor:
    return F.linear(x, getattr(layer, name + "_weight"), getattr(layer, name + "_bias"))


def test_cast_once_gives_autocasts_own_results(monkeypatch):
    layer = _layer()
    x = torch.randn(3 * 7, SHAPE.hidden_size, generator=torch.Generator().manual_seed(1))  # 3 rows of 7 tokens
    keep, tokens = torch.ones(3, 1, 1, 7, dtype=torch.bool), torch.arange(3 * 7)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        cached = [layer(x, tokens, (3, 7), keep) for _ in range(2)]
        monkeypatch.setattr(_Layer, "_linear", _autocast_every_call)
        plain = layer(x, tokens, (3, 7), keep)
    assert all(torch.equal(c, plain) for c in cached)
    assert layer._cast["qkv"][1].dtype == torch.bfloat16  # kept, not cast again per call


def test_a_changed_weight_is_cast_again_and_fp32_uses_no_copy():
    layer = _layer()
    x = torch.randn(2, 5, SHAPE.hidden_size)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        before = layer._linear(x, "ffn_in")
    with torch.no_grad():
        layer.ffn_in_weight.mul_(2.0)
        layer.ffn_in_bias.mul_(2.0)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        after = layer._linear(x, "ffn_in")
        expected = F.linear(x, layer.ffn_in_weight, layer.ffn_in_bias)
    assert torch.equal(after, expected) and not torch.equal(after, before)
    with torch.inference_mode():
        out = layer._linear(x, "ffn_in")
    assert out.dtype == torch.float32
    assert torch.equal(out, F.linear(x, layer.ffn_in_weight, layer.ffn_in_bias))


@pytest.mark.skipif(not _packs_bf16(), reason="this CPU has no oneDNN bf16 kernels to pack for")
def test_packed_weights_give_the_cast_weights_own_bits_at_every_row_count(monkeypatch):
    # the kept bf16 copy is packed into oneDNN's layout once; the products must not change by a bit, whatever the
    # number of rows (below the floor they run on MIN_PRODUCT_ROWS rows, as before)
    layer = _layer(seed=3)
    g = torch.Generator().manual_seed(2)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        packed = {n: layer._linear(torch.randn(n, SHAPE.hidden_size, generator=g), "qkv") for n in (1, 7, 512, 900)}
        assert layer._cast["qkv"][1].is_mkldnn  # packed, not a plain bf16 copy
        monkeypatch.setattr(bert, "_packs_bf16", lambda: False)
        layer._cast.clear()
        g.manual_seed(2)
        plain = {n: layer._linear(torch.randn(n, SHAPE.hidden_size, generator=g), "qkv") for n in (1, 7, 512, 900)}
        assert not layer._cast["qkv"][1].is_mkldnn
    assert all(torch.equal(packed[n], plain[n]) and packed[n].dtype == torch.bfloat16 for n in packed)


def test_a_used_layer_can_still_be_deep_copied():
    # the kept (possibly packed) weights are a cache: a deep copy leaves them behind and makes them again
    layer = _layer(seed=4)
    x = torch.randn(9, SHAPE.hidden_size, generator=torch.Generator().manual_seed(5))
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        before = layer._linear(x, "ffn_in")
    assert layer._cast  # the cache is filled
    other = copy.deepcopy(layer)
    assert not other._cast and layer._cast
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.equal(other._linear(x, "ffn_in"), before)


def test_gradients_still_reach_the_input_under_autocast(monkeypatch):
    # prediction never needs them, but a researcher may backpropagate to the input through a layer: the packed
    # product must pass the same gradient as the plain one
    layer = _layer(seed=6)
    keep, tokens = torch.ones(2, 1, 1, 5, dtype=torch.bool), torch.arange(2 * 5)
    grads = []
    for packed in (True, False):
        monkeypatch.setattr(bert, "_packs_bf16", lambda packed=packed: packed)
        layer._cast.clear()
        x = torch.randn(2 * 5, SHAPE.hidden_size, generator=torch.Generator().manual_seed(7), requires_grad=True)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = layer(x, tokens, (2, 5), keep)
        (
            out.float() * torch.linspace(-1, 1, out.numel()).view_as(out)
        ).sum().backward()  # a plain sum of a norm is flat
        grads.append(x.grad)
    assert grads[0] is not None and grads[0].abs().sum() > 0
    assert torch.allclose(grads[0], grads[1], atol=1e-2, rtol=1e-2)
