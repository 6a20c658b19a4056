"""The reader thread of classify_file: every row once and in order, its errors surface unchanged, it stops."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from stamning.engines.local import classify_file
from stamning.engines.stream import ReadAhead
from stamning.errors import InputError
from stamning.io.textfile import csv_chunks


def _readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "stamning-reader"]


def _slow(n: int, seed: int = 0):
    rng = random.Random(seed)
    for i in range(n):
        if rng.random() < 0.1:
            time.sleep(0.001)
        yield i


@pytest.mark.parametrize("depth", [1, 3])
def test_every_item_once_in_order(depth):
    seen = []
    with ReadAhead(_slow(500), depth=depth) as items:
        for i in items:
            if i % 50 == 0:
                time.sleep(0.002)  # a slow consumer: the reader waits on the bounded queue
            seen.append(i)
    assert seen == list(range(500))
    assert not _readers()


def test_error_in_reader_is_raised_where_its_item_would_come():
    def items():
        yield from range(3)
        raise InputError("in.csv: rad 4 har 3 fält men rubrikraden 2")

    got = []
    with pytest.raises(InputError, match="rad 4 har 3 fält") as err, ReadAhead(items()) as ahead:
        for i in ahead:
            got.append(i)
    assert got == [0, 1, 2]
    assert isinstance(err.value, InputError)
    assert not _readers()


def test_leaving_early_stops_the_reader_and_closes_the_source():
    closed = []

    def items():
        try:
            yield from range(10_000)
        finally:
            closed.append(True)

    with ReadAhead(items(), depth=2) as ahead:
        assert next(ahead) == 0
    assert closed == [True]
    assert not _readers()
    with pytest.raises(StopIteration):
        next(ahead)


def _csv(path: Path, rows: int, bad_row: int | None = None) -> Path:
    lines = ["id;Kommentar"]
    for i in range(rows):
        text = "Chefen lyssnar bra men informationen kommer sent" if i % 3 else "Stressigt på jobbet"
        lines.append(f"r{i};{text} {i}." + (";extra" if i == bad_row else ""))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_classify_file_keeps_every_row_once_in_order(tiny_model, tmp_path):
    src = _csv(tmp_path / "in.csv", 95)
    classify_file(src, tmp_path / "out.jsonl", model=tiny_model, chunk_rows=10, precision="fp32")
    out = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert out["id"].tolist() == [f"r{i}" for i in range(95)]
    direct = tiny_model.predict(pd.read_csv(src, sep=";")["Kommentar"].tolist(), precision="fp32")
    assert out["sentiment"].tolist() == [p.sentiment for p in direct]
    assert not _readers()


def test_a_reading_error_in_a_later_chunk_is_the_same_swedish_error(tiny_model, tmp_path):
    src = _csv(tmp_path / "in.csv", 60, bad_row=44)
    with pytest.raises(InputError) as direct:
        list(csv_chunks(src, 10))
    with pytest.raises(InputError) as run:
        classify_file(src, tmp_path / "out.csv", model=tiny_model, chunk_rows=10, precision="fp32")
    assert str(run.value).startswith(str(direct.value))
    assert "fält men rubrikraden" in str(run.value)
    assert "--resume" in str(run.value)  # the finished chunks before it are kept for --resume
    assert not (tmp_path / "out.csv").exists()
    assert not _readers()
