"""The classify verb: a survey file in, the same rows out with sentiment and themes added."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import pandas as pd

from .errors import InputError, ModelError
from .io import Table, check_output_path, read_comments, write_table
from .options import ClassifyOptions
from .records import OUTPUT_COLUMNS, STATUS_OK, Prediction

DEFAULT_MODEL = "default"


def default_model_dir() -> Path:
    return Path(str(resources.files("stamning").joinpath("resources/default_model")))


def load_model(name_or_dir: str | Path | None = None, device: str = "cpu"):
    """The default model (``None`` or ``'default'``) or a stamning model directory."""
    from .model import StamningModel

    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ModelError("--device cuda but no CUDA GPU is available here; use --device cpu")
    if name_or_dir in (None, DEFAULT_MODEL):
        path = default_model_dir()
        if not (path / "config.json").is_file():
            raise ModelError(f"the default model is missing from {path}; reinstall stamning")
        return StamningModel.from_pretrained(path, device=device)
    return StamningModel.from_pretrained(Path(name_or_dir), device=device)


@dataclass
class ClassifyResult:
    output: Path
    rows: int
    classified: int
    skipped: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def predictions_frame(table: Table, predictions: list[Prediction]) -> pd.DataFrame:
    """The input's columns (with an ``id`` column when it had none) plus the output contract."""
    frame = table.frame.copy()
    if table.columns.id is None:
        frame.insert(0, "id", table.ids())
    else:  # a blank id becomes the row number, as the README promises
        column = table.columns.id
        frame[column] = [i if _blank(v) else v for v, i in zip(frame[column].tolist(), table.ids())]
    added = pd.DataFrame([p.to_columns() for p in predictions], columns=list(OUTPUT_COLUMNS))
    clash = [c for c in OUTPUT_COLUMNS if c in frame.columns]
    if clash:
        frame = frame.rename(columns={c: f"input_{c}" for c in clash})
    return pd.concat([frame.reset_index(drop=True), added], axis=1)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def classify_table(model, table: Table, *, batch_size: int = 32, precision: str = "auto", detect_mixed: bool = True,
                   chunk_rows: int = 4096, progress: Callable[[int, int], None] | None = None) -> list[Prediction]:
    """Predictions for every row of the table, in row order (unclassifiable rows come back skipped)."""
    texts = table.frame[table.columns.text].tolist()
    ids = table.ids()
    out: list[Prediction] = []
    for start in range(0, len(texts), chunk_rows):
        out.extend(model.predict(texts[start:start + chunk_rows], ids[start:start + chunk_rows],
                                 batch_size=batch_size, precision=precision, detect_mixed=detect_mixed))
        if progress:
            progress(len(out), len(texts))
    return out


def _manifest(input_path: Path, model, columns, options: ClassifyOptions) -> dict:
    from dataclasses import asdict

    from .stream import input_fingerprint

    return {"version": 1, "input": input_fingerprint(input_path), "model": model.config.weights_sha256,
            "base": model.config.base, "columns": asdict(columns), "options": options.output_affecting()}


def classify_file(input: str | Path, output: str | Path, options: ClassifyOptions | None = None, *, model=None,
                  progress: Callable[[int, int | None], None] | None = None, **settings) -> ClassifyResult:
    """Read ``input`` in chunks, classify every row, write ``output`` (format by extension) atomically.

    ``options`` (or, as a shorthand, its fields as keyword ``settings``) say how. Finished chunks are kept
    next to the output until the end, so ``resume=True`` continues an interrupted run where its last
    finished chunk ended."""
    from itertools import chain

    from .heap import release_free_memory
    from .io import resolve_columns
    from .stream import PartStore, assemble, iter_chunks

    if options is None:
        options = ClassifyOptions(**settings)
    elif settings:
        raise TypeError("pass either options or keyword settings, not both")
    chunk_rows = options.chunk_rows
    out_path = check_output_path(output)
    in_path = Path(input)
    if out_path.resolve() == in_path.resolve():
        raise InputError(f"{out_path.name}: the output would overwrite the input; choose another -o path")
    start = time.perf_counter()
    chunks = iter_chunks(in_path, chunk_rows, options.sheet)
    first = next(chunks)
    columns = resolve_columns(first, in_path, options.text_column, options.id_column, options.round_column,
                              options.group_column)
    if model is None or isinstance(model, (str, Path)):
        model = load_model(model, device=options.device.value)
    store = PartStore(out_path, _manifest(in_path, model, columns, options))
    store.open(options.resume)
    offset = 0
    for k, chunk in enumerate(chain([first], chunks)):
        if not store.has(k):
            table = Table(chunk.reset_index(drop=True), columns, in_path, offset)
            preds = classify_table(model, table, batch_size=options.batch_size, precision=options.precision.value,
                                   detect_mixed=options.detect_mixed, chunk_rows=len(chunk) or 1)
            store.write(k, predictions_frame(table, preds))
            del table, preds
            release_free_memory()
        offset += len(chunk)
        if progress:
            progress(offset, None)
    rows, ok = assemble(store, out_path)
    store.remove()
    return ClassifyResult(out_path, rows, ok, rows - ok, time.perf_counter() - start)


def hub_offline_default() -> None:
    """No hub traffic unless the user opted in (``STAMNING_ALLOW_DOWNLOAD=1``)."""
    if os.environ.get("STAMNING_ALLOW_DOWNLOAD") != "1":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if "transformers" not in sys.modules:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
