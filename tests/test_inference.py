"""Prediction mechanics: clause spans for `mixed` from one encoder pass, and results that do not
depend on how the input was cut into chunks or batches."""

from __future__ import annotations

import random

import numpy as np
import pytest

from stamning.encoders.segments import PAD_MULTIPLE, Framing, clause_spans, distinct_segments, plan_segments
from stamning.model import inference

MIXED = "Fantastisk chef, alltid lyhörd och vänlig! Väldigt dåligt bemötande, jag blev utskälld inför alla."
TEXTS = [
    MIXED,
    "Toppen!",
    "Samarbetet fungerar bra men informationen kommer ofta för sent.",
    "Stress och hög arbetsbelastning; chefen lyssnar inte.",
    "Bra stöd från HR.",
    "Kommunen borde satsa mer på förskolan. Lokalerna är trånga och personalen räcker inte till.",
    "Mycket bra!",
    "Åsa på växeln är alltid vänlig och hjälpsam.",
] * 3


def test_clause_spans_cut_at_sentences_men_and_semicolons():
    text = "Bra chef men dålig information; ingen vet något. Ok."
    assert [text[a:b] for a, b in clause_spans(text)] == ["Bra chef", "dålig information", "ingen vet något.", "Ok."]


def test_clause_token_spans_hold_the_clause_words(tiny_model):
    (seg,) = plan_segments([MIXED], tiny_model.tokenizer, 64, "", detect_mixed=True)
    tokens = tiny_model.tokenizer.tokenize(MIXED)
    head = seg.ids.index(tiny_model.tokenizer(MIXED, add_special_tokens=False)["input_ids"][0])
    words = ["".join(t.replace("##", "") for t in tokens[a - head : b - head]) for a, b in seg.parts]
    assert words == ["Fantastiskchef,alltidlyhördochvänlig!", "Väldigtdåligtbemötande,jagblevutskälldinföralla."]
    (plain,) = plan_segments([MIXED], tiny_model.tokenizer, 64, "", detect_mixed=False)
    assert plain.parts == [] and plain.ids == seg.ids


def test_inputs_are_padded_to_a_width_set_by_their_own_length(tiny_model):
    segments = plan_segments(TEXTS, tiny_model.tokenizer, 64, "", detect_mixed=True)
    for seg in segments:
        assert seg.width >= seg.length and (seg.width % PAD_MULTIPLE == 0 or seg.width == 64)
        assert seg.width - seg.length < PAD_MULTIPLE
    batches = inference._batches(sorted(range(len(segments)), key=lambda j: segments[j].length), segments, 5)
    assert all(len({segments[j].width for j in b}) == 1 for b in batches)


def test_prefix_is_read_as_in_training(tiny_model):
    frame = Framing.of(tiny_model.tokenizer, 64, "query: ")
    (seg,) = plan_segments(["Bra stöd från HR."], tiny_model.tokenizer, 64, "query: ", detect_mixed=False)
    assert seg.ids == tiny_model.tokenizer("query: Bra stöd från HR.")["input_ids"]
    assert frame.prefix_tokens == 2  # "query" ":"


def _count_encoder_rows(model, monkeypatch) -> list[int]:
    """The list that each encoder call appends its number of input rows to."""
    rows: list[int] = []
    forward = model.encoder.forward

    def counting(input_ids, attention_mask=None):
        rows.append(input_ids.shape[0])
        return forward(input_ids=input_ids, attention_mask=attention_mask)

    monkeypatch.setattr(model.encoder, "forward", counting)
    return rows


def test_mixed_detection_adds_no_encoder_rows(tiny_model, monkeypatch):
    rows = _count_encoder_rows(tiny_model, monkeypatch)
    tiny_model.predict(TEXTS, precision="fp32", detect_mixed=False)
    without = sum(rows)
    rows.clear()
    preds = tiny_model.predict(TEXTS, precision="fp32", detect_mixed=True)
    assert sum(rows) == without == len(set(TEXTS))  # each distinct comment once (TEXTS repeats itself)
    assert all(isinstance(p.mixed, bool) for p in preds)


def test_mixed_needs_one_positive_and_one_negative_clause():
    positive, negative, neutral = [0, 0, 0.9, 0.05, 0.05], [0.04, 0.02, 0.94, 0, 0], [0, 0.01, 0.98, 0.01, 0]

    def mixed(*clauses):
        parts = np.array(clauses, dtype=np.float32).reshape(-1, 5)
        return inference.is_mixed(parts)

    assert mixed(positive, negative)
    assert not mixed(positive, neutral)
    assert not mixed(negative, neutral)
    assert not mixed()


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_results_do_not_depend_on_chunks_or_batch_size(tiny_model, precision):
    if precision == "bf16" and not inference.cpu_supports_bf16():
        pytest.skip("no bf16 on this CPU")
    whole = tiny_model.predict(TEXTS, precision=precision, batch_size=32)
    cut = [
        p
        for s in range(0, len(TEXTS), 5)
        for p in tiny_model.predict(TEXTS[s : s + 5], precision=precision, batch_size=2)
    ]
    assert [(p.sentiment, p.themes, p.mixed) for p in whole] == [(p.sentiment, p.themes, p.mixed) for p in cut]
    if precision == "bf16":  # bit-identical; fp32 GEMMs may still round differently by batch size
        assert [p.probabilities for p in whole] == [p.probabilities for p in cut]


def test_predict_proba_carries_the_numbers_of_predict(tiny_model):
    texts = [*TEXTS[:6], "", TEXTS[6]]
    sent, themes = tiny_model.predict_proba(texts, precision="fp32")
    preds = tiny_model.predict(texts, precision="fp32", detect_mixed=False)
    levels, keys = tiny_model.config.sentiment_labels, tiny_model.config.theme_keys
    assert sent.shape == (len(texts), 5) and themes.shape == (len(texts), len(keys))
    for row, pred in enumerate(preds):
        if pred.status != "ok":
            assert np.isnan(sent[row]).all() and np.isnan(themes[row]).all()
            continue
        assert sent[row].tolist() == [pred.probabilities[lvl] for lvl in levels]
        assert themes[row].tolist() == [pred.theme_probabilities[k] for k in keys]
    assert np.isnan(sent[6]).all() and not np.isnan(np.delete(sent, 6, axis=0)).any()
    with_mixed = tiny_model.predict(texts, precision="fp32", detect_mixed=True)
    assert [p.probabilities for p in with_mixed] == [p.probabilities for p in preds]


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_predict_proba_batch_equals_one_by_one(tiny_model, precision):
    if precision == "bf16" and not inference.cpu_supports_bf16():
        pytest.skip("no bf16 on this CPU")
    sent, themes = tiny_model.predict_proba(TEXTS, precision=precision, batch_size=32)
    alone = [tiny_model.predict_proba([t], precision=precision, batch_size=1) for t in TEXTS]
    np.testing.assert_array_equal(sent, np.concatenate([s for s, _ in alone]))
    np.testing.assert_array_equal(themes, np.concatenate([t for _, t in alone]))


def test_identical_comments_run_once_and_equal_running_each(tiny_model, monkeypatch):
    long = " ".join(random.Random(0).choices(TEXTS[:8], k=60))  # distinct chunks (the tiny tokenizer has no digits)
    texts = ["Nej", MIXED, "Nej", long, "Inget att tillägga.", MIXED, long, "Nej"]
    rows = _count_encoder_rows(tiny_model, monkeypatch)
    shares = []
    together = tiny_model.predict(texts, precision="bf16", on_progress=shares.append)
    distinct, each, per_text = sum(rows), [], []
    for text in texts:
        rows.clear()
        each.append(tiny_model.predict([text], precision="bf16")[0])
        per_text.append(sum(rows))
    assert per_text[3] > 1  # the long comment is read in several chunks
    assert distinct == sum(per_text[i] for i in (0, 1, 3, 4)) < sum(per_text)  # "Nej", MIXED, long, "Inget"
    assert [(p.sentiment, p.probabilities, p.themes, p.mixed, p.score) for p in together] == [
        (p.sentiment, p.probabilities, p.themes, p.mixed, p.score) for p in each
    ]
    assert [p.id for p in together] == [str(i + 1) for i in range(len(texts))]
    assert shares[-1] == pytest.approx(1.0)


def test_distinct_segments_keeps_the_first_of_each_input(tiny_model):
    segments = plan_segments(["Nej", "Toppen!", "Nej", MIXED, MIXED], tiny_model.tokenizer, 64, "query: ", True)
    keep, where = distinct_segments(segments)
    assert keep == [0, 1, 3]
    assert where.tolist() == [0, 1, 0, 2, 2]
