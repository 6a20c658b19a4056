"""Runs that cannot destroy or mix data: output = input refused, one run per output (lock), leftovers
kept only while --resume can use them, one file mode, a resume after a model change refused, and a
progress display that reports every batch against a total counted up front."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.engines.local import classify_file
from stamning.engines.progress import RowProgress
from stamning.errors import DiskError, InputError, Interrupted
from stamning.io.outputs import FILE_MODE, output_lock

runner = CliRunner()


def _letters(k: int) -> str:
    """``k`` spelt in letters: distinct comments for the tiny test tokenizer, which reads every digit as one
    unknown token (identical inputs run through the model once)."""
    return "".join("abcdefghij"[int(c)] for c in str(k))


def _survey(path: Path, rows: int = 30) -> Path:
    lines = ["id;kommentar;grupp"] + [
        f"r{k};{'Bra bemötande på förskolan' if k % 2 else 'Dålig information från ledningen'} {k} {_letters(k)};Vård"
        for k in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("verb", ["classify", "redact", "summarize"])
@pytest.mark.parametrize("how", ["same", "symlink"])
def test_no_verb_writes_over_its_input(tmp_path, tiny_model_dir, verb, how):
    src = _survey(tmp_path / "svar.csv")
    if verb == "summarize":  # a report can be .xlsx, like the input
        frame = pd.read_csv(src, sep=";")
        src = tmp_path / "svar.xlsx"
        frame.to_excel(src, index=False)
    before = src.read_bytes()
    target = src
    if how == "symlink":
        target = tmp_path / f"länk{src.suffix}"
        target.symlink_to(src)
    args = [verb, str(src), "-o", str(target)]
    if verb != "redact":
        args += ["--model", str(tiny_model_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "utfilen är samma fil som indatafilen" in result.output
    assert src.read_bytes() == before


def test_redact_in_place_is_allowed_when_asked(tmp_path):
    src = tmp_path / "svar.csv"
    src.write_text("kommentar\nRing mig på 070-123 45 67\n", "utf-8")
    result = runner.invoke(app, ["redact", str(src), "-o", str(src), "--in-place"])
    assert result.exit_code == 0, result.output
    assert "070-123" not in src.read_text("utf-8-sig")


def test_a_second_run_to_the_same_output_is_refused_naming_the_other_process(tmp_path, tiny_model_dir):
    src = _survey(tmp_path / "b.csv")
    out = tmp_path / "ut.csv"
    with output_lock(out):  # as if another classify were writing ut.csv right now
        result = runner.invoke(app, ["classify", str(src), "-o", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 2
    assert f"en annan körning (process {os.getpid()}) skriver redan" in result.output
    assert not out.exists() and not out.with_name("ut.csv.parts").exists()
    again = runner.invoke(app, ["classify", str(src), "-o", str(out), "--model", str(tiny_model_dir)])
    assert again.exit_code == 0, again.output  # the lock went with the first run


def test_success_leaves_no_parts_no_temp_files_and_one_file_mode(tmp_path, tiny_model):
    src = _survey(tmp_path / "svar.csv")
    for suffix in (".csv", ".xlsx", ".jsonl", ".parquet"):
        out = tmp_path / f"ut{suffix}"
        classify_file(src, out, model=tiny_model, chunk_rows=16, precision="fp32")
        assert stat.S_IMODE(out.stat().st_mode) == FILE_MODE
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") or p.name.endswith((".parts", ".lock"))]
    assert leftovers == []


def _interrupt_after_first_chunk(src, out, model, chunk_rows=10):
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done > chunk_rows:  # inside the second chunk: the first is saved
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as info:
        classify_file(src, out, model=model, chunk_rows=chunk_rows, precision="fp32", progress=progress)
    return str(info.value)


def test_an_interrupted_run_says_where_its_parts_are(tmp_path, tiny_model):
    src = _survey(tmp_path / "svar.csv")
    out = tmp_path / "ut.csv"
    message = _interrupt_after_first_chunk(src, out, tiny_model)
    parts = out.with_name("ut.csv.parts")
    assert str(parts) in message and "--resume" in message and "--clean" in message
    assert parts.is_dir() and not out.exists()
    assert stat.S_IMODE(parts.stat().st_mode) == 0o700
    result = classify_file(src, out, model=tiny_model, chunk_rows=10, precision="fp32", resume=True)
    assert result.rows == 30 and not parts.exists()


def test_resume_after_a_threshold_change_in_config_json_is_refused(tmp_path, tiny_model_dir):
    model_dir = tmp_path / "modell"
    shutil.copytree(tiny_model_dir, model_dir)
    src = _survey(tmp_path / "svar.csv")
    out = tmp_path / "ut.csv"
    _interrupt_after_first_chunk(src, out, str(model_dir))
    config = json.loads((model_dir / "config.json").read_text("utf-8"))
    config["theme_thresholds"] = [min(0.99, t + 0.1) for t in config["theme_thresholds"]]
    (model_dir / "config.json").write_text(json.dumps(config), "utf-8")
    with pytest.raises(InputError, match="config.json \\(t.ex. temagränserna\\) har ändrats") as info:
        classify_file(src, out, model=str(model_dir), chunk_rows=10, precision="fp32", resume=True)
    assert "--clean" in str(info.value)
    result = classify_file(src, out, model=str(model_dir), chunk_rows=10, precision="fp32", clean=True)
    assert result.rows == 30


def test_resume_with_another_option_names_the_option(tmp_path, tiny_model):
    src = _survey(tmp_path / "svar.csv")
    out = tmp_path / "ut.csv"
    _interrupt_after_first_chunk(src, out, tiny_model)
    with pytest.raises(InputError, match="--detect-mixed \\(True → False\\)"):
        classify_file(src, out, model=tiny_model, chunk_rows=10, precision="fp32", resume=True, detect_mixed=False)


def test_progress_is_reported_per_batch_against_an_up_front_total(tmp_path, tiny_model):
    src = _survey(tmp_path / "svar.csv", rows=40)
    calls = []
    classify_file(
        src,
        tmp_path / "ut.csv",
        model=tiny_model,
        chunk_rows=1000,
        batch_size=4,
        precision="fp32",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert len(calls) >= 10  # one chunk, ten batches: the display moves before the chunk is done
    assert {total for _, total in calls} == {40}
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == 40 and done[0] < 40


@pytest.mark.parametrize("suffix", [".xlsx", ".jsonl"])
def test_progress_knows_the_total_for_files_read_whole(tmp_path, tiny_model, suffix):
    import pandas as pd

    frame = pd.read_csv(_survey(tmp_path / "svar.csv", rows=30), sep=";", dtype=str)
    src = tmp_path / f"svar{suffix}"
    frame.to_excel(src, index=False) if suffix == ".xlsx" else frame.to_json(
        src, orient="records", lines=True, force_ascii=False
    )
    calls = []
    classify_file(
        src,
        tmp_path / "ut.csv",
        model=tiny_model,
        chunk_rows=16,
        batch_size=4,
        precision="fp32",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert {total for _, total in calls} == {30} and calls[-1][0] == 30


def test_progress_line_has_total_percent_rate_and_time_left():
    now = [100.0]
    state = RowProgress(clock=lambda: now[0])
    assert state.line() == "0 rader"
    state.update(0, 3000)
    now[0] += 10
    state.update(1000, 3000)
    assert state.line() == "1 000 av 3 000 rader (33 %), 100 rader/s, cirka 20 s kvar"
    now[0] += 10
    state.update(500, 3000)  # never backwards
    assert state.done == 1000


def test_clean_removes_temp_files_a_killed_run_left(tmp_path, tiny_model):
    src = _survey(tmp_path / "svar.csv")
    out = tmp_path / "ut.csv"
    stale = tmp_path / ".ut.csv.4242.abc.stamning-tmp"  # as a killed assembly leaves it
    stale.write_text("Dålig chef", "utf-8")
    classify_file(src, out, model=tiny_model, precision="fp32", clean=True)
    assert not stale.exists() and out.exists()


def test_ray_refuses_local_only_options_by_name():
    from stamning.engines.ray_plan import refuse_local_only
    from stamning.errors import ConfigError

    for kwargs, needle in (
        ({"sheet": "Svar"}, "--sheet"),
        ({"device": "cuda"}, "--num-gpus-per-actor"),
        ({"clean": True}, "--clean"),
        ({"in_place": True}, "--in-place"),
    ):
        with pytest.raises(ConfigError, match=needle):
            refuse_local_only(**kwargs)


def test_a_full_disk_is_named_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    from stamning.io.tables import write_table

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(DiskError, match="disken är full"):
        write_table(pd.DataFrame({"text": ["Bra"]}), tmp_path / "ut.csv")
    assert list(tmp_path.iterdir()) == []
