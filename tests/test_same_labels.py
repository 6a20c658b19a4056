"""Same input, same labels: the real default model gives bit-identical results whatever the file was
cut into (--chunk-rows) or the batch size (slow: real weights, a few thousand rows)."""

from __future__ import annotations

import csv
import json
import os
import random
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("STAMNING_SAME_LABELS_ROWS", "2000"))


def _texts(n: int) -> list[str]:
    texts = [
        json.loads(line)["text"]
        for f in sorted((ROOT / "data" / "corpus" / "test").glob("*.jsonl"))
        for line in f.read_text("utf-8").splitlines()
        if line.strip()
    ]
    tweets = ROOT.parent / "shared" / "data" / "real-dev" / "swe-sentiment-dataset.csv"
    if tweets.is_file():
        texts += [r["text"] for r in csv.DictReader(tweets.open(encoding="utf-8"))]
    texts += ["Bra men rörigt; chefen lyssnar inte.", "Åh nej!", "ö"]
    rng = random.Random(1)
    return [rng.choice(texts) for _ in range(n)]


def test_chunks_and_batch_size_do_not_change_any_result():
    from stamning.model.loading import load_model

    model = load_model()
    texts = _texts(ROWS)
    ids = [str(i) for i in range(len(texts))]
    whole = model.predict(texts, ids, batch_size=32)
    step = min(512, max(1, len(texts) // 4))  # --chunk-rows 512 on the full run
    cut = [
        p
        for s in range(0, len(texts), step)
        for p in model.predict(texts[s : s + step], ids[s : s + step], batch_size=8)
    ]
    assert whole == cut  # labels, themes, mixed and every probability
