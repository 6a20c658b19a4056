"""The Ray engine's planning (stamning.engines.ray_plan) without Ray: shards, output names, manifests,
option checks and refusals. Nothing here starts Ray; the import tests run with Ray made unimportable."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stamning.engines.ray_plan import (
    RAY_PIN,
    check_output_dir,
    check_run,
    expected_manifest,
    find_shards,
    is_verified,
    manifest_for,
    manifest_options,
    output_for,
    plan,
    require_ray,
)
from stamning.errors import ConfigError, InputError, StamningError
from stamning.options import ClassifyOptions

MODEL_ID = {"weights_sha256": "ab" * 32, "config_sha256": "cd" * 32}


def _shard(path, rows=3):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("text\n" + "".join(f"svar {i}\n" for i in range(rows)), "utf-8")
    return path


def _finish(shard, out_dir, options, rows=3, model_id=MODEL_ID):
    """Write what a finished run leaves for ``shard``: the Parquet output and its manifest."""
    out = output_for(shard, out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": [str(i) for i in range(rows)]}), out)
    expected = expected_manifest(shard, model_id, manifest_options(options))
    manifest_for(out).write_text(json.dumps({**expected, "rows": rows, "ok": rows}), "utf-8")
    return out, expected


def test_planning_modules_import_and_refuse_without_ray():
    code = (
        "import sys; sys.modules['ray'] = None; sys.modules['ray.data'] = None\n"
        "import stamning.engines.ray_plan as plan, stamning.engines.ray_stages, stamning.engines.ray_run\n"
        "assert sys.modules['ray'] is None\n"
        "from stamning.errors import StamningError\n"
        "try:\n    plan.require_ray()\nexcept StamningError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert RAY_PIN in done.stdout and "--engine local" in done.stdout


def test_classify_ray_without_ray_says_how_to_install(monkeypatch, tmp_path):
    from stamning.engines.ray_run import classify_ray

    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.setitem(sys.modules, "ray.data", None)
    with pytest.raises(StamningError, match="pip install"):
        require_ray()
    with pytest.raises(StamningError, match="pip install"):
        classify_ray(_shard(tmp_path / "a.csv"), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_shards_from_a_file_a_folder_and_a_glob(tmp_path):
    a, b = _shard(tmp_path / "in" / "b.csv"), _shard(tmp_path / "in" / "a.jsonl")
    (tmp_path / "in" / ".hidden.csv").write_text("x", "utf-8")
    assert find_shards(a) == [a]
    assert find_shards(tmp_path / "in") == [b, a]
    assert find_shards(str(tmp_path / "in" / "*.csv")) == [a]


@pytest.mark.parametrize(
    ("names", "needle"),
    [
        (["a.csv", "notes.pdf"], "notes.pdf"),
        (["a.csv", "a.jsonl"], "a.parquet"),
        ([], "inga delfiler"),
    ],
)
def test_shards_refused_by_name(tmp_path, names, needle):
    (tmp_path / "in").mkdir()
    for name in names:
        _shard(tmp_path / "in" / name)
    with pytest.raises(InputError, match=needle):
        find_shards(tmp_path / "in")


def test_a_missing_input_is_named(tmp_path):
    with pytest.raises(InputError, match="finns inte"):
        find_shards(tmp_path / "saknas.csv")


def test_output_and_manifest_names(tmp_path):
    out = output_for(tmp_path / "in" / "del-1.csv", tmp_path / "ut")
    assert out == tmp_path / "ut" / "del-1.parquet"
    assert manifest_for(out) == tmp_path / "ut" / "del-1.parquet.json"


def test_output_folder_refusals(tmp_path):
    shard = _shard(tmp_path / "in" / "a.csv")
    (tmp_path / "fil").write_text("x", "utf-8")
    with pytest.raises(InputError, match="är en fil"):
        check_output_dir(tmp_path / "fil", [shard])
    with pytest.raises(InputError, match="indatafilernas mapp"):
        check_output_dir(tmp_path / "in", [shard])
    check_output_dir(tmp_path / "ut", [shard])  # a new folder is fine


def test_run_checks():
    with pytest.raises(ConfigError, match="--chunk-rows 0"):
        check_run(ClassifyOptions(), 0, 0)
    with pytest.raises(ConfigError, match="--num-gpus-per-actor"):
        check_run(ClassifyOptions(), 16, 1)
    check_run(ClassifyOptions(), 16, 0)


def test_a_finished_shard_is_verified_and_any_change_is_not(tmp_path):
    shard, options = _shard(tmp_path / "in" / "a.csv"), ClassifyOptions()
    out, expected = _finish(shard, tmp_path / "ut", options)
    assert is_verified(shard, out, expected)["rows"] == 3
    assert is_verified(shard, out, {**expected, "model": {"weights_sha256": "00"}}) is None
    assert is_verified(shard, out, {**expected, "options": {"batch_size": 1}}) is None
    pq.write_table(pa.table({"id": ["1"]}), out)  # fewer rows than the manifest records
    assert is_verified(shard, out, expected) is None
    manifest_for(out).write_text("{kaputt", "utf-8")
    assert is_verified(shard, out, expected) is None


def test_an_edited_input_is_not_verified(tmp_path):
    shard, options = _shard(tmp_path / "in" / "a.csv"), ClassifyOptions()
    out, expected = _finish(shard, tmp_path / "ut", options)
    _shard(shard, rows=4)
    assert is_verified(shard, out, expected_manifest(shard, MODEL_ID, expected["options"])) is None


def test_plan_keeps_verified_outputs_only_when_resuming(tmp_path):
    a, b = _shard(tmp_path / "in" / "a.csv"), _shard(tmp_path / "in" / "b.csv")
    options = ClassifyOptions(resume=True)
    out = tmp_path / "ut"
    expected = expected_manifest(a, MODEL_ID, manifest_options(options))
    out.mkdir()
    pq.write_table(pa.table({"id": ["1", "2", "3"]}), output_for(a, out))
    manifest_for(output_for(a, out)).write_text(json.dumps({**expected, "rows": 3, "ok": 2}), "utf-8")

    resumed = plan([a, b], out, MODEL_ID, options)
    assert list(resumed.done) == [0] and resumed.done[0].reused and resumed.done[0].classified == 2
    assert [spec["shard"] for spec in resumed.todo] == [1]
    assert resumed.todo[0]["output"] == str(output_for(b, out).resolve())

    fresh = plan([a, b], out, MODEL_ID, ClassifyOptions(resume=False))
    assert fresh.done == {} and [spec["shard"] for spec in fresh.todo] == [0, 1]


def test_plan_refuses_an_output_that_is_its_input(tmp_path):
    shard = tmp_path / "a.parquet"
    pq.write_table(pa.table({"text": ["hej"]}), shard)
    with pytest.raises(InputError, match="skriva över indatafilen"):
        plan([shard], tmp_path, MODEL_ID, ClassifyOptions())
