"""The lexical theme model and its blend with the theme head."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from stamning.errors import ModelError
from stamning.model.classifier import StamningModel
from stamning.model.lexical_themes import LexicalThemes, char_terms, word_terms

TEXTS = [
    "Lönen är för låg och lönesättningen oklar.",
    "Låg lön, ingen löneutveckling på tre år.",
    "Bra bemötande i receptionen, vänlig personal.",
    "Trevligt bemötande och vänliga kollegor.",
    "IT-systemet kraschar varje vecka.",
    "Datorerna är långsamma och systemet kraschar.",
    "Lönen borde höjas.",
    "Personalen var vänlig och bemötandet gott.",
]
LABELS = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0], [0, 1, 0]])


def test_terms_keep_swedish_letters():
    assert word_terms("Lönen är LÅG") == ["lönen", "är", "låg", "lönen är", "är låg"]
    assert " lö" in char_terms("Lön") and "ön " in char_terms("Lön")


def test_fits_keywords_and_reloads_identically(tmp_path):
    lex = LexicalThemes.fit(TEXTS, LABELS, min_df=1)
    probs = lex.predict_proba(["Lönen är alldeles för låg.", "Vänligt bemötande.", "Systemet kraschar igen."])
    assert list(probs.argmax(1)) == [0, 1, 2]
    assert "lönen" in lex.vocab["words"]
    lex.save(tmp_path)
    again = LexicalThemes.load(tmp_path)
    np.testing.assert_array_equal(again.predict_proba(TEXTS), lex.predict_proba(TEXTS))


def test_unseen_theme_is_never_predicted():
    labels = np.hstack([LABELS, np.zeros((len(TEXTS), 1), dtype=int)])
    probs = LexicalThemes.fit(TEXTS, labels, min_df=1).predict_proba(TEXTS + [""])
    assert probs[:, 3].max() < 1e-3
    assert probs.shape == (len(TEXTS) + 1, 4)


def test_mismatched_files_fail_loudly(tmp_path):
    LexicalThemes.fit(TEXTS, LABELS, min_df=1).save(tmp_path)
    meta = json.loads((tmp_path / "lexical.json").read_text("utf-8"))
    meta["vocab"]["words"] = meta["vocab"]["words"][:-1]
    (tmp_path / "lexical.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelError, match="hör inte ihop"):
        LexicalThemes.load(tmp_path)


def test_model_blends_lexical_and_head_probabilities(tiny_model_dir):
    model = StamningModel.from_pretrained(tiny_model_dir)
    w = model.config.lexical_theme_weight
    assert 0 < w < 1 and model.lexical is not None
    texts = ["Väldigt dåligt bemötande.", "Bra stöd från chefen!"]
    blended = model.predict(texts, precision="fp32")
    lexical = model.lexical.predict_proba(texts)
    model.lexical = None
    head = model.predict(texts, precision="fp32")
    keys = model.config.theme_keys
    for b, h, lex in zip(blended, head, lexical):
        expected = [w * lex[j] + (1 - w) * h.theme_probabilities[k] for j, k in enumerate(keys)]
        np.testing.assert_allclose([b.theme_probabilities[k] for k in keys], expected, atol=1e-6)


def test_lexical_files_are_checksummed(tiny_model_dir, tmp_path):
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    assert {"lexical.json", "lexical.safetensors"} <= set(
        json.loads((copy / "config.json").read_text())["weights_sha256"]
    )
    (copy / "lexical.json").write_text((copy / "lexical.json").read_text("utf-8").replace("bra", "dålig"), "utf-8")
    with pytest.raises(ModelError, match="kontrollsumman för lexical.json"):
        StamningModel.from_pretrained(copy)


def test_lexical_weight_zero_trains_without_it(tiny_base, labelled_file, tmp_path):
    from stamning.training.trainer import TrainConfig, train

    cfg = TrainConfig(
        data=labelled_file,
        output=tmp_path / "m",
        base=str(tiny_base),
        mode="frozen",
        epochs=1,
        head_epochs=2,
        max_length=64,
        validation_data=labelled_file,
        lexical_weight=0.0,
        log_every=0,
    )
    train(cfg)
    assert not (tmp_path / "m" / "lexical.json").exists()
    model = StamningModel.from_pretrained(tmp_path / "m")
    assert model.lexical is None and model.config.lexical_theme_weight == 0.0
