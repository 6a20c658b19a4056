"""Fixtures: a tiny 2-layer BERT with a WordPiece tokenizer trained here (stamning.encoders.tiny: cased, å/ä/ö kept),
small Swedish data, and a trained tiny stamning model. Everything is offline and seeded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def labelled_rows() -> list[dict]:
    return [json.loads(line) for line in (DATA / "labelled.jsonl").read_text("utf-8").splitlines() if line.strip()]


def build_tiny_bert(directory: Path, vocab_size: int = 400) -> Path:
    from stamning.encoders.tiny import build_tiny_bert as build

    return build(directory, [r["text"] for r in labelled_rows()], vocab_size=vocab_size)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def labelled_file() -> Path:
    return DATA / "labelled.jsonl"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_base, labelled_file) -> Path:
    """A tiny stamning model, fully fine-tuned until it fits the 20 labelled comments."""
    from stamning.training.trainer import TrainConfig, train

    out = tmp_path_factory.mktemp("tiny-model") / "model"
    cfg = TrainConfig(
        data=labelled_file,
        output=out,
        base=str(tiny_base),
        mode="full",
        epochs=30,
        head_epochs=20,
        batch_size=4,
        learning_rate=3e-3,
        head_learning_rate=1e-2,
        max_length=64,
        patience=100,
        validation_data=labelled_file,
        precision="fp32",
        ordinal_smoothing=0.0,
        log_every=0,
    )
    train(cfg)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from stamning.model.classifier import StamningModel

    return StamningModel.from_pretrained(tiny_model_dir)
