"""Planning a Ray run, without Ray: the shards, their output names and manifests, the checks on the
options and the refusals. Everything here is importable (and tested) where Ray is not installed; the Ray
stages are in :mod:`stamning.engines.ray_stages` and the run in :mod:`stamning.engines.ray_run`.

The plan (on the driver): list the shards (a file, a folder or a glob), check their extensions and that no
two would write the same output, and skip those whose output is verified (``resume``): a shard's output
``<stem>.parquet`` is finished when its manifest ``<stem>.parquet.json`` matches the input (size, mtime, head
hash), the model (weights and config.json) and the options, and the Parquet file holds the recorded rows.
Only the first MiB of a shard is read (its fingerprint)."""

from __future__ import annotations

import glob as _glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from stamning.errors import ConfigError, InputError, StamningError
from stamning.options import ClassifyOptions

SHARD_EXTENSIONS = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".parquet", ".xlsx", ".xlsm")
MANIFEST_VERSION = 2  # 2: a Windows-1252 file's lost emoji are left out of what the model reads
READ_CPUS = 0.5  # logical CPUs per read task and per write task (pandas parsing, no model)
WRITE_CPUS = 0.5
RAY_PIN = "ray[data]==2.60.0"


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


def check_output_dir(output_dir: Path, shards: list[Path]) -> None:
    if output_dir.exists() and not output_dir.is_dir():
        raise InputError(f"{output_dir}: är en fil; ange en mapp för utfilerna (den skapas om den saknas)")
    resolved = output_dir.resolve()
    if any(s.parent.resolve() == resolved for s in shards):
        raise InputError(
            f"{output_dir}: är indatafilernas mapp; välj en annan utmapp "
            "(utfiler där skulle läsas som indata nästa gång)"
        )


def manifest_options(options: ClassifyOptions) -> dict:
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


def model_dir(model: str | Path | None) -> Path:
    from stamning.model.loading import resolve_model_dir

    return resolve_model_dir(model)


def model_identity(directory: Path) -> dict:
    """What makes two copies of a model give the same output: its weights and its config.json (labels,
    theme thresholds, base fingerprint). Recorded in each manifest and checked by every actor."""
    from stamning.model.config import ModelConfig
    from stamning.model.config import model_identity as identity

    return identity(ModelConfig.load(directory))


def actor_model(model: str | Path | None) -> tuple[str, dict]:
    """What each actor loads (a name or a path, resolved on the worker) and the identity it must have."""
    from stamning.model.loading import DEFAULT_MODEL

    if model is not None and not isinstance(model, (str, Path)):
        raise TypeError(
            "classify_ray loads the model in each actor: pass a model directory or 'default', not a loaded model"
        )
    name = DEFAULT_MODEL if model in (None, DEFAULT_MODEL) else str(Path(model).expanduser().resolve())
    return name, model_identity(model_dir(model))


# --------------------------------------------------------------------------- the run's options and shards


def run_options(
    options: ClassifyOptions | None, num_gpus_per_actor: float, settings: dict[str, Any]
) -> ClassifyOptions:
    """The options of a run: ``options``, or built from ``settings`` (there ``resume`` defaults to true)."""
    if options is None:
        settings.setdefault("resume", True)
        settings.setdefault("device", "cuda" if num_gpus_per_actor else "cpu")
        options = ClassifyOptions(**settings)
    return options


def check_run(options: ClassifyOptions, rows_per_batch: int, num_gpus_per_actor: float) -> None:
    """Refuse what a Ray run cannot do: an empty batch, a device that disagrees with the actors' GPUs."""
    if rows_per_batch < 1:
        raise ConfigError(f"--chunk-rows {rows_per_batch}: måste vara minst 1")
    if (options.device == "cuda") != bool(num_gpus_per_actor):
        raise ConfigError(
            "--engine ray kör på GPU när varje aktör får en (--num-gpus-per-actor); "
            "--device och --precision fp16 följer av det"
        )


@dataclass
class Plan:
    """The shards of a run: those whose verified output is kept (``done``) and those to classify (``todo``,
    one spec per shard, as the read and write stages receive it)."""

    shards: list[Path]
    done: dict[int, ShardResult] = field(default_factory=dict)
    todo: list[dict[str, Any]] = field(default_factory=list)


def plan(shards: list[Path], out_dir: Path, model_id: dict, options: ClassifyOptions) -> Plan:
    """Which shards to classify, and which verified outputs to keep (with ``options.resume``)."""
    result = Plan(shards)
    wanted = manifest_options(options)
    for k, shard in enumerate(shards):
        out = output_for(shard, out_dir)
        if out.resolve() == shard.resolve():
            raise InputError(f"{out.name}: utfilen skulle skriva över indatafilen; välj en annan utmapp")
        expected = expected_manifest(shard, model_id, wanted)
        manifest = is_verified(shard, out, expected) if options.resume else None
        if manifest is not None:
            result.done[k] = ShardResult(shard, out, manifest["rows"], manifest["ok"], reused=True)
            continue
        result.todo.append(
            {
                "shard": k,
                "input": str(shard.resolve()),
                "output": str(out.resolve()),
                "fingerprint": expected["input"],
                "expected": expected,
            }
        )
    return result


def require_ray() -> None:
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise StamningError(
            f"--engine ray behöver Ray på den här datorn och på varje nod: "
            f"pip install '{RAY_PIN}' (eller kör med --engine local)"
        ) from None
