"""Long runs: chunked reading, interrupt (a real killed subprocess) and resume, byte-identical reruns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.engines.local import classify_file

runner = CliRunner()
WORDS = [
    "chefen",
    "lyssnar",
    "bra",
    "dålig",
    "information",
    "stöd",
    "samarbete",
    "äldreboendet",
    "förvaltningen",
    "stressigt",
    "tack",
]


def _big_csv(path: Path, rows: int) -> Path:
    lines = ["id;Kommentar"]
    for i in range(rows):
        text = " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(40 + i % 20))
        lines.append(f"r{i};{'' if i % 97 == 0 else text.capitalize()}.")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_chunked_equals_whole(tiny_model, tmp_path):
    src = _big_csv(tmp_path / "in.csv", 230)
    a = classify_file(src, tmp_path / "a.jsonl", model=tiny_model, chunk_rows=37, precision="fp32")
    b = classify_file(src, tmp_path / "b.jsonl", model=tiny_model, chunk_rows=10_000, precision="fp32")
    assert a.rows == b.rows == 230
    fa, fb = pd.read_json(tmp_path / "a.jsonl", lines=True), pd.read_json(tmp_path / "b.jsonl", lines=True)
    assert fa["id"].tolist() == [f"r{i}" for i in range(230)]
    pd.testing.assert_frame_equal(
        fa.drop(columns=[c for c in fa if c.startswith("p_") or "score" in c or "conf" in c]),
        fb.drop(columns=[c for c in fb if c.startswith("p_") or "score" in c or "conf" in c]),
    )
    assert (fa["p_neutral"] - fb["p_neutral"]).abs().max() < 1e-4
    assert not (tmp_path / "a.jsonl.parts").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx", ".jsonl"])
def test_reruns_are_byte_identical(tiny_model, tmp_path, suffix):
    src = _big_csv(tmp_path / "in.csv", 60)
    classify_file(src, tmp_path / f"a{suffix}", model=tiny_model, chunk_rows=25)
    classify_file(src, tmp_path / f"b{suffix}", model=tiny_model, chunk_rows=25)
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()


def test_kill_and_resume(tiny_model_dir, tmp_path):
    src = _big_csv(tmp_path / "in.csv", 1200)
    out = tmp_path / "ut.csv"
    parts = tmp_path / "ut.csv.parts"
    cmd = [
        sys.executable,
        "-m",
        "stamning.cli",
        "classify",
        str(src),
        "-o",
        str(out),
        "--model",
        str(tiny_model_dir),
        "--chunk-rows",
        "20",
        "--precision",
        "fp32",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(parts.glob("part-*.parquet"))) < 3:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(parts.glob("part-*.parquet")))
    assert 3 <= done_before < 100, "the run was not interrupted mid-way"
    assert not out.exists()  # never a half-written output under the final name
    result = runner.invoke(
        app,
        [
            "classify",
            str(src),
            "-o",
            str(out),
            "--model",
            str(tiny_model_dir),
            "--chunk-rows",
            "20",
            "--precision",
            "fp32",
            "--resume",
        ],
    )
    assert result.exit_code == 0, result.output
    resumed = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert resumed["id"].tolist() == [f"r{i}" for i in range(1200)]
    fresh_out = tmp_path / "fresh.csv"
    classify_file(src, fresh_out, model=str(tiny_model_dir), chunk_rows=20, precision="fp32")
    assert out.read_bytes() == fresh_out.read_bytes()


def test_resume_refuses_parts_from_another_input_and_clean_starts_over(tiny_model, tmp_path):
    from stamning.errors import InputError

    a = _big_csv(tmp_path / "a.csv", 50)
    out = tmp_path / "ut.jsonl"
    store = out.with_name("ut.jsonl.parts")
    store.mkdir()
    (store / "manifest.json").write_text('{"version": 1, "input": "something else"}')
    with pytest.raises(InputError, match="--resume: de sparade delarna kommer från en annan version"):
        classify_file(a, out, model=tiny_model, chunk_rows=20, resume=True)
    with pytest.raises(InputError, match="fortsätt med --resume eller börja om med --clean"):
        classify_file(a, out, model=tiny_model, chunk_rows=20)
    result = classify_file(a, out, model=tiny_model, chunk_rows=20, clean=True)
    assert result.rows == 50 and not store.exists()
    assert pd.read_json(out, lines=True)["id"].tolist() == [f"r{i}" for i in range(50)]
