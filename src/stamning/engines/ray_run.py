"""The classify verb on a Ray cluster: many input shards in, one output Parquet shard per input shard.

Each output shard has exactly what ``stamning classify`` writes for that shard alone: every row once,
in the shard's order, the original columns kept, ``id`` (the id column or the 1-based row number within
the shard) and the output contract (:data:`stamning.records.OUTPUT_COLUMNS`).

How it runs (Ray Data, streaming):

1. The driver plans (:mod:`stamning.engines.ray_plan`, no Ray needed): lists the shards and skips those
   whose output is verified (``resume``).
2. Read stage (:func:`~stamning.engines.ray_stages.read_stage`): one task per shard emits narrow tables
   (shard, row, id, text).
3. Model stage: ``map_batches`` on an actor pool of :class:`~stamning.engines.ray_stages.Classifier`.
4. The driver gathers the predictions per shard; once a shard is complete a write task
   (:func:`~stamning.engines.ray_stages.write_shard`) writes ``<stem>.parquet`` and then its manifest.

Input and output paths must be visible at the same path on every node (a shared disk)."""

from __future__ import annotations

import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import cast

import pyarrow as pa
import pyarrow.compute as pc

from stamning.engines.ray_plan import (
    READ_CPUS,
    WRITE_CPUS,
    RayResult,
    ShardResult,
    actor_model,
    check_output_dir,
    check_run,
    find_shards,
    plan,
    require_ray,
    run_options,
)
from stamning.engines.ray_stages import Classifier, read_stage, write_shard
from stamning.errors import ConfigError, ModelError, StamningError
from stamning.io.lost_marks import note_lost_marks
from stamning.options import ClassifyOptions

READ_MEMORY = 256 << 20  # bytes reserved per read task
RayArgs = tuple[int | tuple[int, int], float, float]  # concurrency, CPUs and GPUs per actor

__all__ = ["RayResult", "ShardResult", "classify_ray"]


def _stamning_error(err: BaseException) -> StamningError | None:
    """The user-facing error inside a Ray wrapper (RayTaskError, UserCodeException, ...), if there is one."""
    from ray.exceptions import RayError

    seen: set[int] = set()
    stack: list[BaseException | None] = [err]
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
    require_ray()
    options = run_options(options, num_gpus_per_actor, settings)
    check_run(options, rows_per_batch, num_gpus_per_actor)
    shards = find_shards(input)
    out_dir = Path(output_dir).expanduser()
    check_output_dir(out_dir, shards)
    model_name, model_id = actor_model(model)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = plan(shards, out_dir, model_id, options)
    results, startup = work.done, 0.0
    if progress:
        progress(len(results), len(shards))
    if work.todo:
        done = (lambda n: progress(len(results) + n, len(shards))) if progress else None
        ray_args: RayArgs = (concurrency, num_cpus_per_actor, num_gpus_per_actor)
        written, startup = _on_ray(
            work.todo, model_name, model_id, options, rows_per_batch, ray_args, address, verbose, done
        )
        for spec in work.todo:
            info = written[spec["shard"]]
            results[spec["shard"]] = ShardResult(
                Path(spec["input"]), Path(spec["output"]), info["rows"], info["ok"], reused=False
            )
            note_lost_marks(info.get("lost_marks", 0), Path(spec["input"]).name)
    result = RayResult(out_dir.resolve(), [results[k] for k in range(len(shards))], startup_seconds=startup)
    result.seconds = time.perf_counter() - start
    return result


def _on_ray(
    todo: list[dict],
    model_name: str,
    model_id: dict,
    options: ClassifyOptions,
    rows_per_batch: int,
    ray_args: RayArgs,
    address: str | None,
    verbose: bool,
    progress: Callable[[int], None] | None,
) -> tuple[dict[int, dict], float]:
    """Connect to (or start) Ray, run the stages, and shut a Ray this call started down again."""
    concurrency, num_cpus_per_actor, num_gpus_per_actor = ray_args
    actors = concurrency if isinstance(concurrency, int) else max(concurrency)
    t0 = time.perf_counter()
    started = _connect(
        address, actors * num_cpus_per_actor + READ_CPUS + WRITE_CPUS, actors * num_gpus_per_actor, verbose
    )
    startup = time.perf_counter() - t0
    try:
        _check_resources(concurrency, num_cpus_per_actor, num_gpus_per_actor)
        with _quiet_ray_data(verbose):
            written = _run(todo, model_name, model_id, options, rows_per_batch, ray_args, progress)
    except Exception as err:
        found = _stamning_error(err)
        if found is not None and found is not err:
            raise _one_line(found) from None
        raise
    finally:
        if started:
            import ray

            ray.shutdown()
    return written, startup


def _run(
    todo: list[dict],
    model_name: str,
    model_id: dict,
    options: ClassifyOptions,
    rows_per_batch: int,
    ray_args: RayArgs,
    progress: Callable[[int], None] | None,
) -> dict[int, dict]:
    import ray
    import ray.data

    concurrency, num_cpus, num_gpus = ray_args
    ds: ray.data.Dataset = ray.data.from_items(
        [{"spec": json.dumps(spec)} for spec in todo], override_num_blocks=len(todo)
    )
    # The memory reservation also keeps reading a separate operator: Ray Data fuses a task stage into the
    # next actor stage when their resources match, and one actor would then read and classify a whole shard.
    ds = ds.map_batches(
        partial(read_stage, chunk_rows=rows_per_batch),
        batch_size=1,
        batch_format="pyarrow",
        num_cpus=READ_CPUS,
        memory=READ_MEMORY,
    )
    pool = (
        ray.data.ActorPoolStrategy(size=concurrency)
        if isinstance(concurrency, int)
        else ray.data.ActorPoolStrategy(min_size=min(concurrency), max_size=max(concurrency))
    )
    ds = ds.map_batches(
        Classifier,
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
    write = ray.remote(num_cpus=WRITE_CPUS, max_retries=1)(write_shard)
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
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            block = cast(pa.Table, batch)  # batch_format="pyarrow"
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
