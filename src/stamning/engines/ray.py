"""The classify verb on a Ray cluster: many input shards in, one output Parquet shard per input shard.

Each output shard has exactly what ``stamning classify`` writes for that shard alone: every row once,
in the shard's order, the original columns kept, ``id`` (the id column or the 1-based row number within
the shard) and the output contract (:data:`stamning.records.OUTPUT_COLUMNS`).

How it runs (Ray Data, streaming):

1. The driver lists the shards (a file, a folder or a glob) and skips those whose output is verified
   (``resume``); it reads no shard beyond the first MiB (the fingerprint).
2. Read stage: one task per shard reads it with :func:`~stamning.engines.stream.iter_chunks` (the same encoding
   detection, cp1252 fallback, delimiter sniffing and ``dtype=str`` as the single-process path; Ray's own
   CSV reader infers types and would not match), resolves the columns on the first chunk with
   :func:`~stamning.io.tables.resolve_columns` as ``classify_file`` does, and emits a narrow table: shard, row,
   id (:meth:`~stamning.io.tables.Table.ids`), text.
3. Model stage: ``map_batches`` on an actor pool; each actor loads the model once (``__init__``) and
   runs :func:`stamning.engines.local.classify_table` on its batches.
4. The driver gathers the predictions per shard; once a shard is complete a write task reads the
   shard again, joins it to its predictions with :func:`stamning.engines.local.predictions_frame`, writes
   ``<stem>.parquet`` (temporary file + rename) and then ``<stem>.parquet.json`` (the manifest: input
   size/mtime/head hash, the model's ``weights_sha256`` and config.json hash, options and row count;
   also atomic).

Input and output paths must be visible at the same path on every node (a shared disk)."""

from __future__ import annotations

import glob as _glob
import json
import logging
import math
import os
import pickle
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stamning.errors import ConfigError, InputError, ModelError, StamningError
from stamning.io.tables import resolve_columns
from stamning.options import ClassifyOptions
from stamning.records import OUTPUT_COLUMNS, PROB_COLUMNS, STATUS_OK

SHARD_EXTENSIONS = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".parquet", ".xlsx", ".xlsm")
MANIFEST_VERSION = 1
WRITE_CHUNK_ROWS = 2048  # classify_file's default chunk size: the join reads the shard in the same chunks
READ_CPUS = 0.5  # logical CPUs per read task and per write task (pandas parsing, no model)
WRITE_CPUS = 0.5
READ_MEMORY = 256 << 20  # bytes reserved per read task
RAY_PIN = "ray[data]==2.60.0"

_FLOAT_COLUMNS = {"sentiment_score", "sentiment_confidence", *PROB_COLUMNS}
_KEY_FIELDS = [
    pa.field("shard", pa.int64()),
    pa.field("row", pa.int64()),
    pa.field("total", pa.int64()),
    pa.field("id", pa.string()),
]
# What flows from the read stage to the actors: ``text`` holds str values, ``text_obj`` a pickled copy of
# any other non-null value (a number in a JSONL/Parquet text column, NaN), so the model sees exactly the
# values the single-process path sees (and skips them with the same reason).
NARROW_SCHEMA = pa.schema(_KEY_FIELDS + [pa.field("text", pa.large_string()), pa.field("text_obj", pa.binary())])


def _output_type(name: str) -> pa.DataType:
    if name in _FLOAT_COLUMNS:
        return pa.float64()
    if name == "mixed":
        return pa.bool_()
    return pa.string()


PREDICTED_SCHEMA = pa.schema(_KEY_FIELDS + [pa.field(c, _output_type(c)) for c in OUTPUT_COLUMNS])


# --------------------------------------------------------------------------- results


@dataclass
class ShardResult:
    input: Path
    output: Path
    rows: int
    classified: int
    reused: bool  # True: a verified output from an earlier run was kept


@dataclass
class RayResult:
    output_dir: Path
    shards: list[ShardResult] = field(default_factory=list)
    seconds: float = 0.0  # the whole call, start-up included
    startup_seconds: float = 0.0  # connecting to / starting Ray (0 when it was already initialised)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.shards)

    @property
    def classified(self) -> int:
        return sum(s.classified for s in self.shards)

    @property
    def skipped(self) -> int:
        """Rows that could not be classified (status ``skipped``), as in ClassifyResult."""
        return self.rows - self.classified

    @property
    def shards_written(self) -> int:
        return sum(not s.reused for s in self.shards)

    @property
    def shards_skipped(self) -> int:
        """Shards whose verified output was kept (resume)."""
        return sum(s.reused for s in self.shards)

    @property
    def rows_processed(self) -> int:
        return sum(s.rows for s in self.shards if not s.reused)

    @property
    def rows_per_second(self) -> float:
        return self.rows_processed / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------- shards and manifests


def find_shards(input: str | Path) -> list[Path]:
    """The input shards, sorted by path: a file, the files of a folder (not recursive), or a glob."""
    text = str(input)
    path = Path(text).expanduser()
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "_")))
        where = f"{path}/"
    elif path.is_file():
        found = [path]
        where = str(path)
    elif any(ch in text for ch in "*?["):
        found = sorted(
            Path(m)
            for m in _glob.glob(os.path.expanduser(text), recursive=True)
            if Path(m).is_file() and not Path(m).name.startswith(".")
        )
        where = text
    else:
        raise InputError(
            f"{text}: filen eller mappen finns inte och är inget mönster; ange en fil, en mapp eller ett "
            f"mönster som 'delar/*.csv' (aktuell mapp: {Path.cwd()})"
        )
    if not found:
        raise InputError(f"{where}: inga delfiler hittades; väntade filer som slutar på {', '.join(SHARD_EXTENSIONS)}")
    unknown = [p.name for p in found if p.suffix.lower() not in SHARD_EXTENSIONS]
    if unknown:
        more = f" och {len(unknown) - 5} till" if len(unknown) > 5 else ""
        raise InputError(
            f"{where}: {len(unknown)} av {len(found)} funna filer är inga läsbara tabeller "
            f"({', '.join(unknown[:5])}{more}); delfiler ska sluta på {', '.join(SHARD_EXTENSIONS)}; "
            "flytta bort de andra filerna eller snäva in mönstret (t.ex. 'mapp/*.csv')"
        )
    by_stem: dict[str, Path] = {}
    for p in found:
        other = by_stem.setdefault(p.stem, p)
        if other != p:
            raise InputError(
                f"{other.name} och {p.name} skulle båda skrivas till {p.stem}.parquet; "
                "byt namn på den ena (utfilerna får indatafilens namn utan ändelse)"
            )
    return found


def output_for(shard: Path, output_dir: Path) -> Path:
    return output_dir / f"{shard.stem}.parquet"


def manifest_for(output: Path) -> Path:
    return output.with_name(output.name + ".json")


def _check_output_dir(output_dir: Path, shards: list[Path]) -> None:
    if output_dir.exists() and not output_dir.is_dir():
        raise InputError(f"{output_dir}: är en fil; ange en mapp för utfilerna (den skapas om den saknas)")
    resolved = output_dir.resolve()
    if any(s.parent.resolve() == resolved for s in shards):
        raise InputError(
            f"{output_dir}: är indatafilernas mapp; välj en annan utmapp "
            "(utfiler där skulle läsas som indata nästa gång)"
        )


def _manifest_options(options: ClassifyOptions) -> dict:
    """The options a shard's output depends on (a shard is read whole: no sheet, no chunk size)."""
    return {k: v for k, v in options.output_affecting().items() if k not in ("sheet", "chunk_rows")}


def refuse_local_only(
    sheet: str | None = None, device: str | None = None, clean: bool = False, in_place: bool = False
) -> None:
    """Options of the local engine that Ray cannot honour: refused by name, never ignored."""
    if clean:
        raise ConfigError(
            "--clean gäller inte --engine ray (inga delresultat sparas där); kör utan --resume så görs alla delfiler om"
        )
    if in_place:
        raise ConfigError("--in-place gäller inte --engine ray: utdata hamnar i en egen mapp (-o)")
    if sheet is not None:
        raise ConfigError(
            "--sheet gäller inte --engine ray (delfilerna läses som CSV, JSONL eller Parquet); "
            "spara fliken som CSV eller kör utan --engine ray"
        )
    if device is not None and str(device) != "cpu":
        raise ConfigError(
            f"--device {device} gäller inte --engine ray; ge varje aktör en GPU med --num-gpus-per-actor 1"
        )


def expected_manifest(shard: Path, model_id: dict, options: dict) -> dict:
    from stamning.engines.stream import input_fingerprint

    return {"version": MANIFEST_VERSION, "input": input_fingerprint(shard), "model": model_id, "options": options}


def is_verified(shard: Path, output: Path, expected: dict) -> dict | None:
    """The manifest when ``output`` is a finished result for ``shard`` under ``expected``; else None.

    Finished means: the manifest matches (same input size/mtime/head hash, model weights and options)
    and the Parquet file holds exactly the input's row count recorded in the manifest."""
    marker = manifest_for(output)
    if not (output.is_file() and marker.is_file()):
        return None
    try:
        manifest = json.loads(marker.read_text("utf-8"))
        if any(manifest.get(k) != v for k, v in expected.items()):
            return None
        if pq.ParquetFile(output).metadata.num_rows != manifest["rows"]:
            return None
    except Exception:  # unreadable manifest or Parquet: redo the shard
        return None
    return manifest


def _model_dir(model: str | Path | None) -> Path:
    from stamning.model.loading import resolve_model_dir

    return resolve_model_dir(model)


def model_identity(directory: Path) -> dict:
    """What makes two copies of a model give the same output: its weights and its config.json (labels,
    theme thresholds, base fingerprint). Recorded in each manifest and checked by every actor."""
    from stamning.engines.manifest import model_identity as identity
    from stamning.model.config import ModelConfig

    return identity(ModelConfig.load(directory))


def _model_identity(model: str | Path | None) -> tuple[str, dict]:
    """What each actor loads (a name or a path, resolved on the worker) and the identity it must have."""
    from stamning.model.loading import DEFAULT_MODEL

    if model is not None and not isinstance(model, (str, Path)):
        raise TypeError(
            "classify_ray loads the model in each actor: pass a model directory or 'default', not a loaded model"
        )
    name = DEFAULT_MODEL if model in (None, DEFAULT_MODEL) else str(Path(model).expanduser().resolve())
    return name, model_identity(_model_dir(model))


# --------------------------------------------------------------------------- worker side


def _narrow(shard: int, table, total: int) -> pa.Table:
    texts = table.frame[table.columns.text].tolist()
    n = len(texts)
    return pa.Table.from_pydict(
        {
            "shard": [shard] * n,
            "row": list(range(table.offset, table.offset + n)),
            "total": [total] * n,
            "id": table.ids(),
            "text": [t if isinstance(t, str) else None for t in texts],
            "text_obj": [None if t is None or isinstance(t, str) else pickle.dumps(t) for t in texts],
        },
        schema=NARROW_SCHEMA,
    )


def _texts(batch: pa.Table) -> list[object]:
    return [
        t if o is None else pickle.loads(o)
        for t, o in zip(batch.column("text").to_pylist(), batch.column("text_obj").to_pylist())
    ]


def _columns(first, path: Path, spec: dict):
    """Column roles from a shard's first chunk, as classify_file resolves them."""
    return resolve_columns(first, path, *(spec["expected"]["options"][k] for k in _COLUMN_ARGS))


_COLUMN_ARGS = ("text_column", "id_column", "round_column", "group_column")


def _check_unchanged(spec: dict) -> None:
    from stamning.engines.stream import input_fingerprint

    if input_fingerprint(Path(spec["input"])) != spec["fingerprint"]:
        raise InputError(f"{Path(spec['input']).name}: filen ändrades under körningen; kör igen när den är klar")


def _read_stage(batch: pa.Table, chunk_rows: int) -> Iterator[pa.Table]:
    """Ray Data UDF: one shard spec in, the shard's rows out as narrow tables (the last one carries the total)."""
    from stamning.engines.stream import iter_chunks
    from stamning.io.tables import Table

    for raw in batch.column("spec").to_pylist():
        spec = json.loads(raw)
        _check_unchanged(spec)
        path = Path(spec["input"])
        columns, pending, offset = None, None, 0
        for chunk in iter_chunks(path, chunk_rows):
            columns = columns or _columns(chunk, path, spec)
            if pending is not None:
                yield pending
            pending = _narrow(spec["shard"], Table(chunk.reset_index(drop=True), columns, path, offset), -1)
            offset += len(chunk)
        if pending is None:
            raise InputError(
                f"{path.name}: inga datarader (bara en rubrikrad eller inget alls); lägg svaren under rubrikraden"
            )
        yield pending.set_column(
            pending.schema.get_field_index("total"), "total", pa.array([offset] * pending.num_rows, pa.int64())
        )


class _Classifier:
    """Ray Data actor: loads the model once, then classifies narrow batches with classify_table."""

    def __init__(self, model: str, identity: dict, options: dict, threads: int):
        from stamning.model.loading import hub_offline_default, load_model

        hub_offline_default()
        settings = ClassifyOptions.from_dict(options)
        device = settings.device.value
        if device == "cpu":
            import torch

            torch.set_num_threads(max(1, threads))
        if model_identity(_model_dir(model)) != identity:
            raise ModelError(
                f"{model}: modellen på noden {os.uname().nodename} skiljer sig från huvudnodens "
                "(vikter eller config.json); installera samma stamning-version och modell på varje nod"
            )
        self.model = load_model(model, device=device)
        self.options = {
            "batch_size": settings.batch_size,
            "precision": settings.precision.value,
            "detect_mixed": settings.detect_mixed,
        }

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pandas as pd

        from stamning.engines.local import classify_table
        from stamning.io.tables import Columns, Table

        # ids arrive final (Table.ids() in the read stage); Table.ids() leaves them unchanged here
        frame = pd.DataFrame(
            {
                "id": pd.Series(batch.column("id").to_pylist(), dtype=object),
                "text": pd.Series(_texts(batch), dtype=object),
            }
        )
        table = Table(frame, Columns(text="text", id="id"), Path("ray-batch"))
        preds = classify_table(self.model, table, chunk_rows=max(1, len(frame)), **self.options)
        out = {name: batch.column(name) for name in ("shard", "row", "total", "id")}
        rows = [p.to_columns() for p in preds]
        for name in OUTPUT_COLUMNS:
            out[name] = pa.array([r[name] for r in rows], _output_type(name))
        return pa.Table.from_pydict(out, schema=PREDICTED_SCHEMA)


class _Precomputed:
    """Stands in for a Prediction in predictions_frame: its output columns, computed by an actor."""

    __slots__ = ("_columns",)

    def __init__(self, columns: dict):
        self._columns = columns

    def to_columns(self) -> dict:
        return dict(self._columns)


def _write_shard(spec: dict, predictions: pa.Table) -> dict:
    """Join a shard with its predictions (in row order), write the Parquet output and then its manifest."""
    from stamning.engines.local import predictions_frame
    from stamning.engines.stream import _arrow_safe, iter_chunks
    from stamning.io.outputs import atomic_output
    from stamning.io.tables import Table, atomic_write_text

    _check_unchanged(spec)
    path, out = Path(spec["input"]), Path(spec["output"])
    columns = None
    ids = predictions.column("id").to_pylist()
    rows = predictions.select(list(OUTPUT_COLUMNS)).to_pylist()
    tables, offset = [], 0
    for chunk in iter_chunks(path, WRITE_CHUNK_ROWS):
        columns = columns or _columns(chunk, path, spec)
        table = Table(chunk.reset_index(drop=True), columns, path, offset)
        n = len(chunk)
        if table.ids() != ids[offset : offset + n]:
            raise InputError(
                f"{path.name}: raderna {offset + 1}–{offset + n} lästes annorlunda än vid klassningen; "
                "kör igen när filen är klar"
            )
        tables.append(_arrow_safe(predictions_frame(table, [_Precomputed(r) for r in rows[offset : offset + n]])))
        offset += n
    if offset != len(rows):
        raise InputError(f"{path.name}: {offset} rader nu, {len(rows)} vid klassningen; kör igen när filen är klar")
    arrow = pa.concat_tables(tables, promote_options="permissive")
    marker = manifest_for(out)
    marker.unlink(missing_ok=True)  # an old manifest must never vouch for a new file
    with atomic_output(out) as tmp:
        pq.write_table(arrow, tmp)
    ok = int(pc.sum(pc.equal(arrow.column("status"), STATUS_OK)).as_py() or 0)
    manifest = {**spec["expected"], "rows": offset, "ok": ok, "columns": asdict(columns), "output": out.name}
    atomic_write_text(marker, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return {"shard": spec["shard"], "rows": offset, "ok": ok}


# --------------------------------------------------------------------------- driver


def _stamning_error(err: BaseException) -> StamningError | None:
    """The user-facing error inside a Ray wrapper (RayTaskError, UserCodeException, ...), if there is one."""
    from ray.exceptions import RayError

    seen, stack = set(), [err]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, StamningError) and not isinstance(e, RayError):
            return e
        stack += [getattr(e, "cause", None), e.__cause__, e.__context__]
    return None


def _one_line(err: StamningError) -> StamningError:
    """The error as stamning raised it on the worker: Ray Data appends retry advice to the message."""
    first = str(err).split("\n", 1)[0]
    try:
        return type(err)(first)
    except TypeError:
        return err


def _require_ray() -> None:
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise StamningError(
            f"--engine ray behöver Ray på den här datorn och på varje nod: "
            f"pip install '{RAY_PIN}' (eller kör med --engine local)"
        ) from None


@contextmanager
def _quiet_ray_data(verbose: bool) -> Iterator[None]:
    logger = logging.getLogger("ray.data")
    old = logger.level
    if not verbose:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(old)


def _check_resources(concurrency, num_cpus: float, num_gpus: float) -> None:
    """Fail instead of waiting forever: the smallest pool must fit next to one read task."""
    import ray

    actors = concurrency if isinstance(concurrency, int) else min(concurrency)
    have = ray.cluster_resources()
    need_cpus = actors * num_cpus + READ_CPUS
    if have.get("CPU", 0) < need_cpus:
        raise ConfigError(
            f"Ray-klustret har {have.get('CPU', 0):g} CPU:er; {actors} aktörer × {num_cpus:g} CPU:er plus "
            f"{READ_CPUS:g} för läsning behöver {need_cpus:g}; sänk --concurrency eller --num-cpus-per-actor "
            "(läs- och skrivuppgifterna behöver CPU:er som aktörerna lämnar lediga)"
        )
    if num_gpus and have.get("GPU", 0) < actors * num_gpus:
        raise ConfigError(
            f"Ray-klustret har {have.get('GPU', 0):g} GPU:er; {actors} aktörer × {num_gpus:g} GPU:er "
            "får inte plats; sänk --concurrency eller --num-gpus-per-actor"
        )


def _connect(address: str | None, num_cpus: float, num_gpus: float, verbose: bool) -> bool:
    """Use an initialised Ray, an existing cluster (address / RAY_ADDRESS), or start a local one.

    Returns True when this call initialised Ray (and so shuts it down at the end)."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: no usage report
    address = address or os.environ.get("RAY_ADDRESS")
    if address and address != "local":
        ray.init(address=address, log_to_driver=verbose, logging_level=logging.INFO if verbose else logging.WARNING)
        return True
    if num_gpus:
        import torch

        if not torch.cuda.is_available():
            raise ModelError(
                "--num-gpus-per-actor > 0 men ingen CUDA-GPU finns här; använd 0, eller ange "
                "adressen till ett kluster med GPU:er (--address)"
            )
    ray.init(
        num_cpus=max(os.cpu_count() or 1, math.ceil(num_cpus)),
        include_dashboard=False,
        log_to_driver=verbose,
        logging_level=logging.INFO if verbose else logging.WARNING,
    )
    return True


def classify_ray(
    input: str | Path,
    output_dir: str | Path,
    options: ClassifyOptions | None = None,
    *,
    model: str | Path | None = None,
    rows_per_batch: int = 1024,
    concurrency: int | tuple[int, int] = 2,
    num_cpus_per_actor: float = 1,
    num_gpus_per_actor: float = 0,
    address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    verbose: bool = False,
    **settings,
) -> RayResult:
    """Classify every shard of ``input`` (a file, a folder or a glob) into ``output_dir/<stem>.parquet``.

    The model runs in a Ray Data actor pool (``concurrency`` actors, each loading it once, with
    ``num_cpus_per_actor`` / ``num_gpus_per_actor``); ``rows_per_batch`` rows go to an actor per call,
    ``options.batch_size`` is the model's batch (``settings`` build the options when none are given; there
    ``resume`` defaults to true). With ``options.resume`` shards whose output is verified are kept.
    ``progress(shards_done, shards_total)`` is called as shards finish. Ray Data's own progress and
    error logging is silenced unless ``verbose`` (errors still come back as exceptions)."""
    start = time.perf_counter()
    _require_ray()
    if options is None:
        settings.setdefault("resume", True)
        settings.setdefault("device", "cuda" if num_gpus_per_actor else "cpu")
        options = ClassifyOptions(**settings)
    if rows_per_batch < 1:
        raise ConfigError(f"--chunk-rows {rows_per_batch}: måste vara minst 1")
    if (options.device == "cuda") != bool(num_gpus_per_actor):
        raise ConfigError(
            "--engine ray kör på GPU när varje aktör får en (--num-gpus-per-actor); "
            "--device och --precision fp16 följer av det"
        )
    shards = find_shards(input)
    out_dir = Path(output_dir).expanduser()
    _check_output_dir(out_dir, shards)
    model_name, model_id = _model_identity(model)
    manifest_options = _manifest_options(options)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = RayResult(out_dir.resolve())
    results: dict[int, ShardResult] = {}
    todo: list[dict] = []
    for k, shard in enumerate(shards):
        out = output_for(shard, out_dir)
        if out.resolve() == shard.resolve():
            raise InputError(f"{out.name}: utfilen skulle skriva över indatafilen; välj en annan utmapp")
        expected = expected_manifest(shard, model_id, manifest_options)
        manifest = is_verified(shard, out, expected) if options.resume else None
        if manifest is not None:
            results[k] = ShardResult(shard, out, manifest["rows"], manifest["ok"], reused=True)
            continue
        todo.append(
            {
                "shard": k,
                "input": str(shard.resolve()),
                "output": str(out.resolve()),
                "fingerprint": expected["input"],
                "expected": expected,
            }
        )
    if progress:
        progress(len(results), len(shards))
    if todo:
        actors = concurrency if isinstance(concurrency, int) else max(concurrency)
        t0 = time.perf_counter()
        started = _connect(
            address, actors * num_cpus_per_actor + READ_CPUS + WRITE_CPUS, actors * num_gpus_per_actor, verbose
        )
        result.startup_seconds = time.perf_counter() - t0
        try:
            _check_resources(concurrency, num_cpus_per_actor, num_gpus_per_actor)
        except BaseException:
            if started:
                import ray

                ray.shutdown()
            raise
        done = (lambda n: progress(len(results) + n, len(shards))) if progress else None
        try:
            with _quiet_ray_data(verbose):
                written = _run(
                    todo,
                    model_name,
                    model_id,
                    options,
                    rows_per_batch,
                    concurrency,
                    num_cpus_per_actor,
                    num_gpus_per_actor,
                    done,
                )
        except Exception as err:
            found = _stamning_error(err)
            if found is not None and found is not err:
                raise _one_line(found) from None
            raise
        finally:
            if started:
                import ray

                ray.shutdown()
        for spec in todo:
            info = written[spec["shard"]]
            results[spec["shard"]] = ShardResult(
                Path(spec["input"]), Path(spec["output"]), info["rows"], info["ok"], reused=False
            )
    result.shards = [results[k] for k in range(len(shards))]
    result.seconds = time.perf_counter() - start
    return result


def _run(
    todo: list[dict],
    model_name: str,
    model_id: dict,
    options: ClassifyOptions,
    rows_per_batch: int,
    concurrency,
    num_cpus: float,
    num_gpus: float,
    progress: Callable[[int], None] | None,
) -> dict[int, dict]:
    import ray
    import ray.data

    ds = ray.data.from_items([{"spec": json.dumps(spec)} for spec in todo], override_num_blocks=len(todo))
    # The memory reservation also keeps reading a separate operator: Ray Data fuses a task stage into the
    # next actor stage when their resources match, and one actor would then read and classify a whole shard.
    ds = ds.map_batches(
        _read_stage,
        batch_size=1,
        batch_format="pyarrow",
        fn_kwargs={"chunk_rows": rows_per_batch},
        num_cpus=READ_CPUS,
        memory=READ_MEMORY,
    )
    pool = (
        ray.data.ActorPoolStrategy(size=concurrency)
        if isinstance(concurrency, int)
        else ray.data.ActorPoolStrategy(min_size=min(concurrency), max_size=max(concurrency))
    )
    ds = ds.map_batches(
        _Classifier,
        batch_size=rows_per_batch,
        batch_format="pyarrow",
        compute=pool,
        num_cpus=num_cpus,
        num_gpus=num_gpus or None,
        fn_constructor_kwargs={
            "model": model_name,
            "identity": model_id,
            "options": options.to_dict(),
            "threads": max(1, int(num_cpus)),
        },
    )
    write = ray.remote(num_cpus=WRITE_CPUS, max_retries=1)(_write_shard)
    specs = {spec["shard"]: spec for spec in todo}
    parts: dict[int, list[pa.Table]] = {k: [] for k in specs}
    seen: dict[int, int] = {k: 0 for k in specs}
    totals: dict[int, int] = {}
    pending: dict = {}
    written: dict[int, dict] = {}

    def collect(block_until_done: bool) -> None:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=None if block_until_done else 0)
            if not ready:
                return
            for ref in ready:
                pending.pop(ref)
                info = ray.get(ref)
                written[info["shard"]] = info
                if progress:
                    progress(len(written))

    with warnings.catch_warnings():
        # Ray warns when there are fewer shards than actors; the read stage splits shards into batches
        warnings.filterwarnings("ignore", message="The minimum number of concurrent actors")
        for block in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for k in pc.unique(block.column("shard")).to_pylist():
                part = block.filter(pc.equal(block.column("shard"), k))
                parts.setdefault(k, []).append(part)
                seen[k] += part.num_rows
                total = pc.max(part.column("total")).as_py()
                if total is not None and total >= 0:
                    totals[k] = total
                if k in totals and seen[k] == totals[k]:
                    pending[write.remote(specs[k], _in_order(parts.pop(k), totals[k], specs[k]))] = k
            collect(False)
    collect(True)
    missing = [Path(specs[k]["input"]).name for k in specs if k not in written]
    if missing:
        raise RuntimeError(
            f"rows of {', '.join(missing)} did not come back from the cluster; run again (resume "
            "keeps the finished shards)"
        )
    return written


def _in_order(parts: list[pa.Table], total: int, spec: dict) -> pa.Table:
    """The shard's predictions sorted by row, checked to be rows 0..total-1 exactly once."""
    table = pa.concat_tables(parts)
    table = table.take(pc.sort_indices(table.column("row")))
    rows = table.column("row").to_numpy()
    if len(rows) != total or (total and (rows[0] != 0 or rows[-1] != total - 1 or len(set(rows.tolist())) != total)):
        raise RuntimeError(f"{Path(spec['input']).name}: predictions do not cover each row exactly once")
    return table
