"""The shipped corpus: sizes, labels, and no near-duplicates between the training and test sets."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from stamning.records import SENTIMENT_LEVELS
from stamning.themes.taxonomy import load_taxonomy

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def _rows(split: str) -> list[dict]:
    files = sorted((CORPUS / split).glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines() if line.strip()]


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


@pytest.fixture(scope="module")
def train():
    """Everything a model may learn from: the training split and the extra comments of the sentiment refit."""
    return _rows("train") + _rows("extra")


@pytest.fixture(scope="module")
def test():
    """Every held-out test file: the own test set, real_style and the third round's middle set."""
    return _rows("test") + _rows("middle")


def test_sizes_and_labels(train, test):
    assert len(train) >= 11000 and len(test) >= 1500
    assert len(train) + len(test) >= 12000
    keys = set(load_taxonomy().keys)
    for row in train + test:
        assert row["sentiment"] in SENTIMENT_LEVELS, row["id"]
        assert set(row["themes"]) <= keys, row["id"]
        assert row["text"].strip(), row["id"]
    ids = [r["id"] for r in train + test]
    assert len(ids) == len(set(ids))


def test_every_level_well_represented(train, test):
    for rows in (train, test):
        counts = Counter(r["sentiment"] for r in rows)
        assert min(counts[level] for level in SENTIMENT_LEVELS) >= 0.12 * len(rows)


def test_no_near_duplicates_across_the_split(train, test):
    """A test comment of 8+ words may share at most half of its 4-word shingles with any training comment."""
    index: dict[tuple[str, ...], set[int]] = {}
    train_sh = [_shingles(r["text"]) for r in train]
    for i, sh in enumerate(train_sh):
        for s in sh:
            index.setdefault(s, set()).add(i)
    offenders = []
    for row in test:
        if len(re.findall(r"\w+", row["text"])) < 8:
            continue
        sh = _shingles(row["text"])
        hits = Counter(i for s in sh for i in index.get(s, ()))
        for i, shared in hits.items():
            jaccard = shared / len(sh | train_sh[i])
            if jaccard > 0.5:
                offenders.append((row["id"], train[i]["id"], round(jaccard, 2)))
    assert not offenders, offenders[:10]


def test_no_exact_duplicates_across_the_split(train, test):
    norm = lambda t: re.sub(r"\W+", " ", t.lower()).strip()  # noqa: E731
    train_texts = {norm(r["text"]) for r in train if len(r["text"].split()) >= 4}
    clashes = [r["id"] for r in test if norm(r["text"]) in train_texts]
    assert not clashes, clashes


@pytest.mark.parametrize(
    ("test_file", "prefix", "files", "least_level"),
    [("test/real_style.jsonl", "x2-", 6, 0.12), ("middle/middle.jsonl", "x3-", 4, 0.08)],
    ids=["real_style, second round", "middle, third round"],
)
def test_held_out_file_is_a_tenth_of_its_round_with_every_file_and_level(test_file, prefix, files, least_level):
    """The held-out sample of a later writing round: every file of the round (id prefix), every level, about 10 %."""
    rows = [json.loads(line) for line in (CORPUS / test_file).read_text("utf-8").splitlines()]
    registers = Counter(r["id"].split("-")[1] for r in rows)
    trained = Counter(r["id"].split("-")[1] for r in _rows("train") if r["id"].startswith(prefix))
    assert set(registers) == set(trained) and len(registers) == files
    for key, n in registers.items():
        assert 0.08 <= n / (n + trained[key]) <= 0.12, key
    levels = Counter(r["sentiment"] for r in rows)
    assert min(levels[level] for level in SENTIMENT_LEVELS) >= least_level * len(rows)
