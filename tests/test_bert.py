"""The built-in BERT encoder and light tokenizer (the fast load path) compute what transformers computes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from stamning.encoders.bert import load_bert, merge_lora, supported
from stamning.encoders.tokenizer import LightTokenizer
from stamning.errors import ModelError
from stamning.model.classifier import StamningModel

TEXTS = [
    "Åsa är nöjd med öppenheten!",
    "Chefen lyssnar inte. Informationen kommer för sent 😕",
    "ok",
    "Mycket bra stöd från enhetschefen, men arbetsbelastningen är för hög under hösten " * 6,
]


def test_tokenizer_matches_transformers(tiny_base):
    from transformers import AutoTokenizer

    hf, light = AutoTokenizer.from_pretrained(tiny_base), LightTokenizer(tiny_base)
    assert light(TEXTS, add_special_tokens=False)["input_ids"] == hf(TEXTS, add_special_tokens=False)["input_ids"]
    assert light("Åsa", add_special_tokens=False)["input_ids"] == hf("Åsa", add_special_tokens=False)["input_ids"]
    for max_length in (8, 64):
        a = light(TEXTS, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        b = hf(TEXTS, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        assert torch.equal(a["input_ids"], b["input_ids"]) and torch.equal(a["attention_mask"], b["attention_mask"])
    assert light.tokenize("Åsa är nöjd") == hf.tokenize("Åsa är nöjd")


def test_encoder_matches_transformers_bert(tiny_base):
    from transformers import BertModel

    hf = BertModel.from_pretrained(tiny_base, add_pooling_layer=False).eval()
    ours = load_bert(tiny_base)
    enc = LightTokenizer(tiny_base)(TEXTS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.inference_mode():
        a = ours(**enc).last_hidden_state
        b = hf(**enc).last_hidden_state
    keep = enc["attention_mask"].bool()
    assert torch.allclose(a[keep], b[keep], atol=1e-5)


@pytest.mark.parametrize("mode", ["frozen", "lora", "full"])
def test_builtin_backend_predicts_like_transformers(tiny_base, labelled_file, tmp_path, mode):
    from stamning.training.trainer import TrainConfig, train

    cfg = TrainConfig(
        data=labelled_file,
        output=tmp_path / mode,
        base=str(tiny_base),
        mode=mode,
        epochs=2,
        head_epochs=2,
        batch_size=8,
        max_length=64,
        precision="fp32",
        validation_data=labelled_file,
        log_every=0,
        learning_rate=5e-3,
    )
    train(cfg)
    ours = StamningModel.from_pretrained(tmp_path / mode, backend="builtin")
    ref = StamningModel.from_pretrained(tmp_path / mode, backend="transformers")
    assert type(ours.encoder).__name__ == "BertEncoder" and type(ref.encoder).__name__ != "BertEncoder"
    a, b = ours.predict(TEXTS, precision="fp32"), ref.predict(TEXTS, precision="fp32")
    assert [p.sentiment for p in a] == [p.sentiment for p in b]
    diff = max(abs(x.probabilities[k] - y.probabilities[k]) for x, y in zip(a, b) for k in x.probabilities)
    assert diff < 1e-5
    ours.save_pretrained(tmp_path / "again")  # a loaded model saves again (adapter or encoder, as trained)
    again = StamningModel.from_pretrained(tmp_path / "again").predict(TEXTS, precision="fp32")
    assert [p.probabilities for p in again] == [p.probabilities for p in a]


def test_lora_merge_matches_peft(tiny_base):
    from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
    from transformers import BertModel

    torch.manual_seed(0)
    hf = BertModel.from_pretrained(tiny_base, add_pooling_layer=False)
    peft_model = get_peft_model(hf, LoraConfig(r=4, lora_alpha=8, target_modules=["query", "key", "value", "dense"]))
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:
            param.data.normal_(std=0.2)
    peft_model.eval()
    adapter = get_peft_model_state_dict(peft_model)
    merged, plain = load_bert(tiny_base, adapter, {"r": 4, "alpha": 8}), load_bert(tiny_base)
    enc = LightTokenizer(tiny_base)(TEXTS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    keep = enc["attention_mask"].bool()
    with torch.inference_mode():
        ref = peft_model(**enc).last_hidden_state[keep]
        assert torch.allclose(merged(**enc).last_hidden_state[keep], ref, atol=1e-5)
        assert not torch.allclose(plain(**enc).last_hidden_state[keep], ref, atol=1e-3)


def test_unsupported_architecture_falls_back_or_fails(tiny_base, tmp_path):
    config = json.loads((tiny_base / "config.json").read_text())
    assert supported(config) is None
    assert "relativa" in supported(config | {"position_embedding_type": "relative_key"})
    assert "roberta" in supported(config | {"model_type": "roberta"})
    copy = tmp_path / "rel"
    shutil.copytree(tiny_base, copy)
    (copy / "config.json").write_text(json.dumps(config | {"hidden_act": "swish"}))
    with pytest.raises(ModelError, match="aktiveringsfunktionen 'swish'"):
        load_bert(copy)


def test_adapter_for_another_base_is_refused(tiny_base):
    weights = {"encoder.layer.0.attention.self.query.weight": torch.zeros(4, 4)}
    adapter = {
        "base_model.model.encoder.layer.7.attention.self.query.lora_A.weight": torch.zeros(2, 4),
        "base_model.model.encoder.layer.7.attention.self.query.lora_B.weight": torch.zeros(4, 2),
    }
    with pytest.raises(ModelError, match="en annan grundmodell"):
        merge_lora(weights, adapter, alpha=16, r=8)
    a = torch.ones(2, 4)
    b = torch.ones(4, 2)
    merge_lora(
        weights,
        {
            "encoder.layer.0.attention.self.query.lora_A.weight": a,
            "encoder.layer.0.attention.self.query.lora_B.weight": b,
        },
        alpha=4,
        r=2,
    )
    assert np.allclose(weights["encoder.layer.0.attention.self.query.weight"].numpy(), 4.0)


def test_predicting_does_not_import_transformers(tiny_model_dir):
    code = (
        "import sys; from stamning import load_model; "
        f"m = load_model({str(tiny_model_dir)!r}); m.predict(['Bra bemötande!']); "
        "print(sorted(k for k in ('transformers', 'peft') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_both_encoders_and_tokenizers_meet_the_protocols(tiny_base):
    from transformers import AutoTokenizer

    from stamning.encoders.bert import BertOutput, BertShape
    from stamning.encoders.protocols import Encoder, Tokenizer
    from stamning.model.classifier import load_encoder

    ours, theirs = load_bert(tiny_base), load_encoder(tiny_base)
    assert isinstance(ours, Encoder) and isinstance(theirs, Encoder)
    assert isinstance(LightTokenizer(tiny_base), Tokenizer) and isinstance(
        AutoTokenizer.from_pretrained(tiny_base), Tokenizer
    )
    assert isinstance(ours.config, BertShape) and ours.config.hidden_size == theirs.config.hidden_size
    ids = torch.tensor([[2, 10, 11, 3]])
    out = ours(input_ids=ids, attention_mask=torch.ones_like(ids))
    assert type(out) is BertOutput and out.last_hidden_state.shape == (1, 4, ours.config.hidden_size)
    with pytest.raises(AttributeError):  # a frozen record, not a namespace to write into
        out.last_hidden_state = out.last_hidden_state  # type: ignore[misc]  # the assignment is what is tested


def test_layers_skip_the_padding(tiny_base):
    from stamning.encoders.bert import layer_rows

    ours = load_bert(tiny_base)
    tok = LightTokenizer(tiny_base)
    tight = tok(TEXTS[:2], padding=True, return_tensors="pt")
    wide = tok(TEXTS[:2], padding="max_length", max_length=64, return_tensors="pt")
    with torch.inference_mode():
        a, b = ours(**tight).last_hidden_state, ours(**wide).last_hidden_state
    n = tight["input_ids"].shape[1]
    keep = tight["attention_mask"].bool()
    assert torch.allclose(a[keep], b[:, :n][keep], atol=1e-6)  # more padding changes no real token
    assert not a[~keep].any() and not b[~wide["attention_mask"].bool()].any()  # padded positions stay zero
    rows, real = layer_rows(wide["attention_mask"])
    assert real == int(wide["attention_mask"].sum()) and len(rows) % 16 == 0 and len(rows) < 2 * 64


def test_every_dense_product_runs_on_at_least_the_floor_of_rows(tiny_base, monkeypatch):
    # a comment's result must not depend on how many comments share its batch: oneDNN's AMX kernels sum in
    # another order for some row counts below the floor, so every product runs on at least that many rows
    import stamning.encoders.bert as bert

    ours = load_bert(tiny_base)
    tok = LightTokenizer(tiny_base)
    seen: list[int] = []
    real_dense = bert._dense

    def counting(x, weight, bias):
        seen.append(x.shape[0])
        return real_dense(x, weight, bias)

    monkeypatch.setattr(bert, "_dense", counting)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):  # the default path on CPU
        one = ours(**tok(TEXTS[:1], return_tensors="pt")).last_hidden_state
        both = ours(**tok(TEXTS[:2], padding=True, return_tensors="pt")).last_hidden_state
    assert seen and min(seen) >= bert.MIN_PRODUCT_ROWS
    n = one.shape[1]
    assert torch.equal(one[0], both[0, :n])  # the first comment alone == beside another one
