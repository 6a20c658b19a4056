"""Word-embedding rows read on demand give exactly the full matrix's results, read only what is used,
and fail with a clear message on a damaged file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from stamning.encoders.bert import load_bert
from stamning.encoders.embeddings import LazyRows
from stamning.encoders.tokenizer import LightTokenizer
from stamning.errors import ModelError

TEXTS = [
    "Åsa är nöjd med öppenheten!",
    "Chefen lyssnar inte. Informationen kommer för sent",
    "ok",
    "Bra stöd från enhetschefen, men arbetsbelastningen är för hög under hösten",
]


def _matrix_file(tmp_path, rows: int, width: int, dtype=torch.float32, name: str = "emb"):
    matrix = torch.randn(rows, width, generator=torch.Generator().manual_seed(0)).to(dtype)
    path = tmp_path / f"m-{rows}-{dtype}.safetensors".replace("torch.", "")
    save_file({"bias": torch.ones(3), name: matrix, "zlast": torch.zeros(2)}, str(path))
    return path, matrix


def test_lazy_encoder_equals_full_encoder_and_reads_only_used_rows(tiny_base):
    enc = LightTokenizer(tiny_base)(TEXTS, padding=True, truncation=True, max_length=64, return_tensors="pt")
    full, lazy = load_bert(tiny_base), load_bert(tiny_base, lazy_embeddings=True)
    assert full.lazy_rows is None and lazy.lazy_rows is not None
    with torch.inference_mode():
        a, b = full(**enc).last_hidden_state, lazy(**enc).last_hidden_state
    assert torch.equal(a, b)
    used = torch.unique(enc["input_ids"]).numel()
    assert lazy.lazy_rows.loaded == used < lazy.embedding_shape[0]
    with torch.inference_mode():
        lazy(**enc)
    assert lazy.lazy_rows.loaded == used  # rows are read once
    assert lazy.embedding_shape == tuple(full.word.shape)


@pytest.mark.parametrize("lazy", [True, False])
def test_embedding_that_does_not_fit_the_config_is_refused(tiny_base, tmp_path, lazy):
    import json
    import shutil

    shutil.copytree(tiny_base, tmp_path / "base")
    config = json.loads((tmp_path / "base" / "config.json").read_text("utf-8"))
    config["vocab_size"] += 7
    (tmp_path / "base" / "config.json").write_text(json.dumps(config), "utf-8")
    with pytest.raises(ModelError, match=r"word har formen .* men config.json anger"):
        load_bert(tmp_path / "base", lazy_embeddings=lazy)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_lookup_matches_embedding_across_table_growth(tmp_path, dtype):
    path, matrix = _matrix_file(tmp_path, 5000, 8, dtype)
    rows = LazyRows(path, "emb")
    gen, seen = torch.Generator().manual_seed(1), set()
    for _ in range(6):  # several calls: the table grows past its first 1,024 slots
        ids = torch.randint(0, 5000, (7, 90), generator=gen)
        assert torch.equal(rows.lookup(ids), F.embedding(ids, matrix))
        seen |= set(ids.flatten().tolist())
    assert rows.loaded == len(seen) > 1024
    assert rows.lookup(torch.tensor([], dtype=torch.long)).shape == (0, 8)
    assert torch.equal(rows.full(), matrix)


def test_table_fills_inside_and_outside_inference_mode(tmp_path):
    path, matrix = _matrix_file(tmp_path, 3000, 4)
    with torch.inference_mode():
        rows = LazyRows(path, "emb")
        first = rows.lookup(torch.arange(0, 3000, 3))
    second = rows.lookup(torch.arange(1, 3000, 2))  # grows the table outside inference mode
    with torch.inference_mode():
        third = rows.lookup(torch.arange(2999, -1, -1))
    assert torch.equal(first, matrix[::3]) and torch.equal(second, matrix[1::2]) and torch.equal(third, matrix.flip(0))


def test_table_never_grows_past_the_vocabulary(tmp_path):
    path, matrix = _matrix_file(tmp_path, 1500, 4)
    rows = LazyRows(path, "emb")
    rows.lookup(torch.arange(0, 1500, 2))  # 750 rows: first table of 1,024 slots
    assert torch.equal(rows.lookup(torch.arange(1500)), matrix)  # doubling would give 2,048
    assert rows.loaded == 1500 and rows._table.shape[0] == 1500


def test_out_of_range_ids_raise_like_embedding(tmp_path):
    path, _ = _matrix_file(tmp_path, 50, 4)
    rows = LazyRows(path, "emb")
    with pytest.raises(IndexError):
        rows.lookup(torch.tensor([[1, 50]]))
    with pytest.raises(IndexError):
        rows.lookup(torch.tensor([-1]))


def test_damaged_files_fail_with_a_clear_message(tmp_path):
    path, _ = _matrix_file(tmp_path, 400, 16)
    with pytest.raises(ModelError, match="ingen tensor 'missing'"):
        LazyRows(path, "missing")
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(ModelError, match="pekar utanför filens .* databyte"):  # refused before any row is read
        LazyRows(cut, "emb")
    shrinking = tmp_path / "shrinking.safetensors"
    shrinking.write_bytes(path.read_bytes())
    rows = LazyRows(shrinking, "emb")
    shrinking.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # cut while in use
    with pytest.raises(ModelError, match="tar slut mitt i inbäddningsmatrisen"):
        rows.lookup(torch.tensor([399]))
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(ModelError, match="inte giltig JSON"):
        LazyRows(broken, "emb")
    with pytest.raises(ModelError, match="kortare än ett safetensors-huvud"):
        (tmp_path / "empty.safetensors").write_bytes(b"")
        LazyRows(tmp_path / "empty.safetensors", "emb")
    huge = tmp_path / "huge.safetensors"
    huge.write_bytes((2**62).to_bytes(8, "little") + b"{}")  # claims a 4 EiB header: never allocated
    with pytest.raises(ModelError, match="huvudet anger"):
        LazyRows(huge, "emb")


def _resident_mb() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return (int(fields["RssAnon"].split()[0]) + int(fields["RssFile"].split()[0])) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_resident_memory_grows_with_rows_used_not_with_the_matrix(tmp_path):
    path, matrix = _matrix_file(tmp_path, 100_000, 128)  # 51 MB of float32
    del matrix
    rows = LazyRows(path, "emb")
    before = _resident_mb()
    ids = torch.arange(0, 100_000, 97)  # 1,031 rows spread over the whole matrix
    rows.lookup(ids)
    assert _resident_mb() - before < 12  # the rows read (0.5 MB + table slack), not the 51 MB matrix
