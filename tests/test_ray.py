"""classify_ray (stamning.engines.ray_run) against the single-process classify_file, on a local 2-CPU Ray."""

from __future__ import annotations

import json
import random

import pytest

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray Data's own context defaults

import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from conftest import labelled_rows  # noqa: E402
from stamning.engines.local import classify_file  # noqa: E402
from stamning.engines.ray_plan import expected_manifest, is_verified, manifest_for  # noqa: E402
from stamning.engines.ray_run import classify_ray  # noqa: E402
from stamning.errors import ColumnError, ConfigError, InputError  # noqa: E402
from stamning.records import PROB_COLUMNS  # noqa: E402

EXACT = ["id", "status", "reason", "sentiment", "themes", "mixed"]
NUMERIC = ["sentiment_score", "sentiment_confidence", *PROB_COLUMNS]
RAY_OPTIONS = dict(precision="fp32", concurrency=2, num_cpus_per_actor=0.5, rows_per_batch=48, batch_size=16)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _texts(n: int, seed: int, cp1252: bool = False) -> list[str]:
    rng = random.Random(seed)
    base = [r["text"] for r in labelled_rows()]
    if cp1252:
        base = [t for t in base if _encodable(t)]
    extra = [
        "Åtgärderna på äldreboendet är för få.",
        "Öppettiderna är bra, men kön är lång.",
        "  ",
        "",
        "...",
        "Väldigt dåligt bemötande från växeln.",
        "Tack för ett gott samarbete i år!",
    ]
    pool = base + extra
    return [rng.choice(pool) + ("" if k % 5 else f" Punkt {k}.") if k % 11 else "" for k in range(n)]


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Four shards, four shapes: UTF-8 CSV with ids, cp1252 ';' CSV without, Parquet with nulls, JSONL with a number."""
    d = tmp_path_factory.mktemp("shards")
    a = _texts(90, 1)
    pd.DataFrame(
        {"id": [f"a{k}" if k % 7 else "" for k in range(len(a))], "kommentar": a, "enhet": ["Vård och omsorg"] * len(a)}
    ).to_csv(d / "a_utf8.csv", index=False)
    b = _texts(70, 2, cp1252=True)
    b[1] = "Väldigt dåligt bemötande från växeln ?"  # an emoji the export lost: read without the "?" on both paths
    quoted = ['"' + t.replace('"', '""') + '"' for t in b]
    body = "Fritext;Förvaltning;Omgång\r\n" + "".join(f"{q};Kultur;2024\r\n" for q in quoted)
    (d / "b_excel.csv").write_bytes(body.encode("cp1252"))
    c = _texts(80, 3)
    pd.DataFrame(
        {"text": [None if k % 13 == 0 else t for k, t in enumerate(c)], "score": list(range(len(c)))}
    ).to_parquet(d / "c_export.parquet", index=False)
    e = _texts(60, 4)
    lines = [json.dumps({"svar": 5 if k == 3 else t, "nr": k + 100}, ensure_ascii=False) for k, t in enumerate(e)]
    (d / "d_web.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return d


@pytest.fixture(scope="module")
def single(shards, tmp_path_factory, tiny_model):
    out = tmp_path_factory.mktemp("single")
    frames = {}
    for shard in sorted(shards.iterdir()):
        target = out / f"{shard.stem}.parquet"
        classify_file(shard, target, model=tiny_model, precision="fp32")
        frames[shard.stem] = pd.read_parquet(target)
    return out, frames


def _assert_same(ray_dir, single_dir, single) -> None:
    for stem, expected in single.items():
        got = pd.read_parquet(ray_dir / f"{stem}.parquet")
        schema = pq.read_schema(ray_dir / f"{stem}.parquet").remove_metadata()
        assert schema == pq.read_schema(single_dir / f"{stem}.parquet").remove_metadata(), stem
        assert list(got.columns) == list(expected.columns), stem
        assert len(got) == len(expected), stem
        for col in got.columns:
            if col in NUMERIC:
                diff = (got[col].astype(float) - expected[col].astype(float)).abs().fillna(0.0)
                assert (got[col].isna() == expected[col].isna()).all(), (stem, col)
                assert diff.max() <= 1e-4, (stem, col, diff.max())
            else:
                assert got[col].tolist() == expected[col].tolist(), (stem, col)


def test_ray_matches_single_process_and_resumes(local_ray, shards, single, tiny_model_dir, tmp_path, caplog):
    out = tmp_path / "ray-out"
    with caplog.at_level("WARNING", logger="stamning.sources"):
        result = classify_ray(shards, out, model=tiny_model_dir, **RAY_OPTIONS)
    notes = [r.getMessage() for r in caplog.records if "Windows-1252" in r.getMessage()]
    assert len(notes) == 1 and notes[0].startswith("1 kommentar i b_excel.csv har '?' där exporten")
    assert result.shards_written == 4 and result.shards_skipped == 0
    assert result.rows == sum(len(f) for f in single[1].values()) == 300
    assert result.classified == sum(int((f["status"] == "ok").sum()) for f in single[1].values())
    _assert_same(out, *single)
    # every row once, in shard order; ids as the single-process path gives them
    assert pd.read_parquet(out / "b_excel.parquet")["id"].tolist() == [str(k) for k in range(1, 71)]
    assert pd.read_parquet(out / "d_web.parquet").loc[3, "reason"] == "inte text (int)"
    manifest = json.loads(manifest_for(out / "a_utf8.parquet").read_text("utf-8"))
    assert manifest["rows"] == 90 and manifest["columns"]["text"] == "kommentar"

    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = classify_ray(shards, out, model=tiny_model_dir, **RAY_OPTIONS)
    assert again.shards_skipped == 4 and again.shards_written == 0 and again.rows == 300
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps

    (out / "c_export.parquet").unlink()
    redo = classify_ray(shards, out, model=tiny_model_dir, **RAY_OPTIONS)
    assert redo.shards_written == 1 and redo.shards_skipped == 3
    assert [s.input.name for s in redo.shards if not s.reused] == ["c_export.parquet"]
    assert (out / "a_utf8.parquet").stat().st_mtime_ns == stamps["a_utf8.parquet"]
    _assert_same(out, *single)
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_a_changed_input_model_or_option_is_not_verified(tmp_path):
    shard = tmp_path / "in" / "s.jsonl"
    shard.parent.mkdir()
    shard.write_text('{"text": "Bra chef."}\n{"text": "Dålig lön."}\n', "utf-8")
    out = tmp_path / "s.parquet"
    pd.DataFrame({"id": ["1", "2"], "status": ["ok", "ok"]}).to_parquet(out)
    options = {"text_column": None, "precision": "fp32"}
    expected = expected_manifest(shard, {"heads.safetensors": "abc"}, options)
    manifest_for(out).write_text(json.dumps({**expected, "rows": 2, "ok": 2}), "utf-8")
    assert is_verified(shard, out, expected) is not None
    assert is_verified(shard, out, expected_manifest(shard, {"heads.safetensors": "other"}, options)) is None
    assert (
        is_verified(shard, out, expected_manifest(shard, expected["model"], {**options, "precision": "bf16"})) is None
    )
    pd.DataFrame({"id": ["1"], "status": ["ok"]}).to_parquet(out)  # fewer rows than the input had
    assert is_verified(shard, out, expected) is None
    pd.DataFrame({"id": ["1", "2"], "status": ["ok", "ok"]}).to_parquet(out)
    with open(shard, "a", encoding="utf-8") as fh:
        fh.write('{"text": "Ny rad."}\n')
    assert is_verified(shard, out, expected_manifest(shard, expected["model"], options)) is None
    manifest_for(out).write_text("{", "utf-8")
    assert is_verified(shard, out, expected) is None


def test_worker_errors_come_back_as_stamning_errors(local_ray, tiny_model_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.csv").write_text("text\nBra chef.\n", "utf-8")
    (src / "names.csv").write_text("namn,betyg\nAnna,3\n", "utf-8")
    with pytest.raises(ColumnError, match=r"^names.csv: hittade ingen textkolumn[^\n]*$"):
        classify_ray(src, tmp_path / "out", model=tiny_model_dir, **RAY_OPTIONS)


def test_a_pool_that_leaves_no_cpu_for_reading_is_refused(local_ray, shards, tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match="Ray-klustret har 2 CPU:er"):  # it would wait forever
        classify_ray(shards, tmp_path / "out", model=tiny_model_dir, concurrency=2, num_cpus_per_actor=1)


def test_input_errors_are_clear(tmp_path, tiny_model_dir):
    # raised before Ray is started
    with pytest.raises(InputError, match="inga delfiler hittades"):
        classify_ray(tmp_path / "nothing-*.csv", tmp_path / "out", model=tiny_model_dir)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="inga delfiler hittades"):
        classify_ray(tmp_path / "empty", tmp_path / "out", model=tiny_model_dir)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.csv").write_text("text\nbra\n", "utf-8")
    (mixed / "notes.docx").write_bytes(b"PK")
    with pytest.raises(InputError, match="notes.docx"):
        classify_ray(mixed, tmp_path / "out", model=tiny_model_dir)
    with pytest.raises(InputError, match="inga läsbara tabeller"):
        classify_ray(mixed / "*", tmp_path / "out", model=tiny_model_dir)
    (mixed / "notes.docx").unlink()
    (mixed / "a.jsonl").write_text('{"text": "bra"}\n', "utf-8")
    with pytest.raises(InputError, match="båda skrivas till a.parquet"):
        classify_ray(mixed, tmp_path / "out", model=tiny_model_dir)
    (mixed / "a.jsonl").unlink()
    (tmp_path / "file-out").write_text("x", "utf-8")
    with pytest.raises(InputError, match="är en fil"):
        classify_ray(mixed, tmp_path / "file-out", model=tiny_model_dir)
    with pytest.raises(InputError, match="indatafilernas mapp"):
        classify_ray(mixed, mixed, model=tiny_model_dir)
    with pytest.raises(InputError, match="finns inte"):
        classify_ray(tmp_path / "missing.csv", tmp_path / "out", model=tiny_model_dir)
    assert not (tmp_path / "out").exists()  # nothing created, Ray not needed for these checks
