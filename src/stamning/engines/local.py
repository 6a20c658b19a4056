"""The classify verb: a survey file in, the same rows out with sentiment and themes added."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stamning.io.lost_marks import note_lost_marks
from stamning.io.spreadsheet import CellFixes
from stamning.io.tables import Table, check_output_path
from stamning.model.loading import load_model
from stamning.options import BATCH_SIZE, ClassifyOptions
from stamning.records import OUTPUT_COLUMNS, Prediction


@dataclass
class ClassifyResult:
    output: Path
    rows: int
    classified: int
    skipped: int
    seconds: float
    cells: CellFixes = field(default_factory=CellFixes)  # cells an .xlsx could not hold as they were

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


def classify_table(
    model,
    table: Table,
    *,
    batch_size: int = BATCH_SIZE,
    precision: str = "auto",
    detect_mixed: bool = True,
    chunk_rows: int = 4096,
    progress: Callable[[int, int], None] | None = None,
    prepared=None,
) -> list[Prediction]:
    """Predictions for every row of the table, in row order (unclassifiable rows come back skipped).

    ``progress(rows_done, rows)`` is called after every model batch. ``prepared``: the table's rows already
    through :func:`stamning.model.inference.prepare` (one chunk: ``chunk_rows`` at least the table's rows)."""
    texts = table.model_texts()
    ids = table.ids()
    out: list[Prediction] = []
    for start in range(0, len(texts), chunk_rows):
        part = texts[start : start + chunk_rows]
        report = None
        if progress:

            def report(share: float, start: int = start, n: int = len(part)) -> None:
                progress(start + int(share * n), len(texts))

        out.extend(
            model.predict(
                part,
                ids[start : start + chunk_rows],
                batch_size=batch_size,
                precision=precision,
                detect_mixed=detect_mixed,
                on_progress=report,
                **({} if prepared is None else {"prepared": prepared}),
            )
        )
        if progress:
            progress(len(out), len(texts))
    return out


def classify_file(
    input: str | Path,
    output: str | Path,
    options: ClassifyOptions | None = None,
    *,
    model=None,
    progress: Callable[[int, int | None], None] | None = None,
    in_place: bool = False,
    **settings,
) -> ClassifyResult:
    """Read ``input`` in chunks, classify every row, write ``output`` (format by extension) atomically.

    ``options`` (or, as a shorthand, its fields as keyword ``settings``) say how. The output is locked for
    the run (a second run to it is refused). Finished chunks are kept next to the output until the end,
    so ``resume=True`` continues an interrupted run where its last finished chunk ended; they are removed
    on success. ``progress(rows_done, rows_total)`` is called after every model batch (the total is
    counted up front where that is cheap, else None)."""
    from stamning.io.outputs import output_lock, refuse_overwriting_input

    if options is None:
        options = ClassifyOptions(**settings)
    elif settings:
        raise TypeError("pass either options or keyword settings, not both")
    out_path = check_output_path(output)
    in_path = Path(input)
    refuse_overwriting_input(in_path, out_path, in_place)
    with output_lock(out_path):
        return _classify_locked(in_path, out_path, options, model, progress)


def _classify_locked(in_path: Path, out_path: Path, options: ClassifyOptions, model, progress) -> ClassifyResult:
    from itertools import chain

    from stamning.engines.manifest import run_manifest
    from stamning.engines.stream import PartStore, ReadAhead, assemble, count_rows, iter_chunks
    from stamning.io.outputs import stale_temp_files
    from stamning.io.tables import resolve_columns
    from stamning.model.heap import release_free_memory

    start = time.perf_counter()
    total = count_rows(in_path) if progress else None
    chunks = iter_chunks(in_path, options.chunk_rows, options.sheet)
    first = next(chunks)
    total = total if total is not None else first.attrs.get("total_rows")
    columns = resolve_columns(
        first, in_path, options.text_column, options.id_column, options.round_column, options.group_column
    )
    if model is None or isinstance(model, (str, Path)):
        model = load_model(model, device=options.device.value)
    store = PartStore(out_path, run_manifest(in_path, model.config, columns, options.output_affecting()))
    if options.clean:
        for stale in stale_temp_files(out_path):  # left by a killed run; they may hold comments
            stale.unlink(missing_ok=True)
    store.open(options.resume, options.clean)
    lost = 0
    try:
        with ReadAhead(_ready_chunks(chain([first], chunks), columns, in_path, model, options, store.has)) as ready:
            for chunk in ready:
                lost += chunk.lost_marks
                if not chunk.finished:
                    _classify_chunk(model, chunk, options, store, progress, total)
                    release_free_memory()
                if progress:
                    progress(chunk.table.offset + len(chunk.table.frame), total)
        cells = CellFixes()
        rows, ok = assemble(store, out_path, cells)
    except BaseException as err:
        replacement = _leftovers(store, err)
        if replacement is err:
            raise
        raise replacement from None
    store.remove()
    note_lost_marks(lost, in_path.name)
    return ClassifyResult(out_path, rows, ok, rows - ok, time.perf_counter() - start, cells)


@dataclass
class _Chunk:
    """One chunk of the input as the reader thread hands it over: read, and prepared for the encoder."""

    index: int
    table: Table
    finished: bool  # a part kept from an earlier run (--resume): nothing to do
    prepared: object | None = None  # stamning.model.inference.Prepared, for a StamningModel
    lost_marks: int = 0  # texts the model reads without a lost character (stamning.io.lost_marks)


def _ready_chunks(frames, columns, in_path: Path, model, options: ClassifyOptions, finished) -> Iterator[_Chunk]:
    """Runs in the reader thread: each chunk read, tokenised and through the lexical models (everything
    before the encoder), so that this work overlaps the encoder's on the chunk before."""
    from stamning.model.classifier import StamningModel
    from stamning.model.inference import prepare

    offset = 0
    for k, frame in enumerate(frames):
        table = Table(frame.reset_index(drop=True), columns, in_path, offset)
        done = finished(k)
        ready = None
        if not done and isinstance(model, StamningModel):
            ready = prepare(model, table.model_texts(), detect_mixed=options.detect_mixed)
        yield _Chunk(k, table, done, ready, table.lost_marks())  # kept parts were read the same way
        offset += len(frame)


def _classify_chunk(model, chunk: _Chunk, options: ClassifyOptions, store, progress, total) -> None:
    base = chunk.table.offset
    report = (lambda done, _n: progress(base + done, total)) if progress else None
    preds = classify_table(
        model,
        chunk.table,
        batch_size=options.batch_size,
        precision=options.precision.value,
        detect_mixed=options.detect_mixed,
        chunk_rows=len(chunk.table.frame) or 1,
        progress=report,
        prepared=chunk.prepared,
    )
    store.write(chunk.index, predictions_frame(chunk.table, preds))


def _leftovers(store, err: BaseException) -> BaseException:
    """After a failure: drop a parts folder with nothing finished; otherwise say where the parts are."""
    from stamning.errors import Interrupted, StamningError

    if not store.finished():
        store.remove()
        return (
            Interrupted("avbrutet; ingen ofullständig utfil har skrivits")
            if isinstance(err, KeyboardInterrupt)
            else err
        )
    where = f"färdiga delar (med kommentarer) finns i {store.dir}: fortsätt med --resume, eller ta bort dem med --clean"
    if isinstance(err, KeyboardInterrupt):
        return Interrupted(f"avbrutet; ingen ofullständig utfil har skrivits; {where}")
    if isinstance(err, StamningError):
        err.args = (f"{err}; {where}",)
    return err
