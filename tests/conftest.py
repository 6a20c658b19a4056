"""Fixtures: a tiny 2-layer BERT with a WordPiece tokenizer trained here (stamning.encoders.tiny: cased, å/ä/ö kept),
small Swedish data, and a trained tiny stamning model. Everything is offline and seeded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

from stamning.records import SENTIMENT_LEVELS

# property tests draw the same examples on every run (the house rule: tests are deterministic); a run that wants
# fresh draws gives --hypothesis-profile=default
settings.register_profile("stamning", derandomize=True)
settings.load_profile("stamning")

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


# ------------------------------------------------------------------ classified rows (summaries and reports)

VALUES = dict(zip(SENTIMENT_LEVELS, (-2, -1, 0, 1, 2)))


def row(
    sentiment,
    themes="",
    *,
    text="Bra möte på förvaltningen, tack för ärligheten",
    round="2024",
    group=None,
    conf=0.8,
    status="ok",
    mixed=False,
    index=np.nan,
    id=None,
):
    """One classified row whose probabilities put ``conf`` on ``sentiment``."""
    d = {
        "id": id,
        "text": text,
        "round": round,
        "group": group,
        "index": index,
        "themes": themes,
        "mixed": mixed,
        "status": status,
        "reason": "" if status == "ok" else "tom kommentar",
    }
    if status == "ok":
        rest = (1 - conf) / 4
        probs = {lvl: (conf if lvl == sentiment else rest) for lvl in SENTIMENT_LEVELS}
        d.update(
            sentiment=sentiment,
            sentiment_score=sum(VALUES[k] * p for k, p in probs.items()),
            sentiment_confidence=conf,
            **{f"p_{k}": p for k, p in probs.items()},
        )
    else:
        d.update(
            sentiment=None,
            sentiment_score=np.nan,
            sentiment_confidence=np.nan,
            **{f"p_{k}": np.nan for k in SENTIMENT_LEVELS},
        )
    return d


def frame(rows):
    """A classified table of ``rows`` (from :func:`row`); rows without an id get R001, R002, …"""
    df = pd.DataFrame(rows)
    df["id"] = [r if r is not None else f"R{i + 1:03d}" for i, r in enumerate(df["id"])]
    return df


def outlier_round(n_pos=20, n_neutral=0, round="2024", **kw):
    """A round of positive comments (and ``n_neutral`` neutral ones) with one very negative outlier."""
    rows = [
        row(
            "positiv" if i % 4 else "mycket_positiv",
            "ledarskap",
            text=f"Karin lyssnar och är tydlig {i}",
            round=round,
            **kw,
        )
        for i in range(n_pos)
    ]
    rows += [
        row("neutral", "kommunikation", text="Inget särskilt att tillägga", round=round, **kw) for _ in range(n_neutral)
    ]
    rows.append(row("mycket_negativ", "bemotande", text="Jag blev förödmjukad av Karin på mötet", round=round, **kw))
    return rows


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def free_port():
    """``free_port()``: a TCP port free on 127.0.0.1 right now (the web tests' servers)."""
    return _free_port
