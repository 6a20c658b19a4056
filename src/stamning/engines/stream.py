"""Streaming: read big inputs in chunks, keep finished chunks as parts, assemble the output at the end.

A run over ``out.csv`` keeps its finished chunks in ``out.csv.parts/`` (each part written atomically),
with a manifest naming the input, the model and the chunk size. ``--resume`` reuses the parts whose
manifest matches; the final file is assembled from the parts in order and renamed into place, so every
row comes out exactly once, in input order, and an interrupted run never leaves a half-written output."""

from __future__ import annotations

import json
import queue
import shutil
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stamning.engines.manifest import differences, input_fingerprint  # noqa: F401 (input_fingerprint re-exported)
from stamning.errors import InputError
from stamning.io.outputs import atomic_output
from stamning.io.spreadsheet import CellFixes, csv_value, write_frames_xlsx
from stamning.io.tables import check_input_path, read_frame
from stamning.io.textfile import csv_chunks

T = TypeVar("T")
_END = object()


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        file = pq.ParquetFile(path)
    except Exception as err:
        raise InputError(f"{path.name}: inte en läsbar Parquet-fil ({type(err).__name__}); skriv den igen") from None
    if file.metadata.num_rows == 0:
        raise InputError(f"{path.name}: inga datarader; lägg till svaren")
    for batch in file.iter_batches(batch_size=chunk_rows):
        yield batch.to_pandas()


def count_rows(path: str | Path) -> int | None:
    """Data rows, counted cheaply up front for a progress display: CSV by one pass of the parser, Parquet
    from its metadata; None for formats that are read whole anyway (their count comes with the read)."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            return sum(len(chunk) for chunk in csv_chunks(p, 1 << 16))
        if suffix == ".parquet":
            return pq.ParquetFile(p).metadata.num_rows
    except Exception:  # the real read reports the problem with its own message
        return None
    return None


def iter_chunks(path: str | Path, chunk_rows: int, sheet: str | None = None) -> Iterator[pd.DataFrame]:
    """The input in chunks of ``chunk_rows`` rows, in order. CSV and Parquet stream; others are read whole."""
    p = Path(path)
    check_input_path(p)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        yield from csv_chunks(p, chunk_rows)
    elif suffix == ".parquet":
        yield from _parquet_chunks(p, chunk_rows)
    else:
        frame = read_frame(p, sheet=sheet)
        for start in range(0, len(frame), chunk_rows):
            chunk = frame.iloc[start : start + chunk_rows].reset_index(drop=True)
            chunk.attrs["total_rows"] = len(frame)  # read whole: the total is known (for progress)
            yield chunk


class ReadAhead(Iterator[T]):
    """The items of ``items`` in order, produced by a reader thread (started at once) up to ``depth`` items
    ahead in a bounded queue, so reading and preparing the next chunk overlaps the work on this one. An error
    in the reader is raised here, where the failing item would have come, as the same exception. Use it as a
    context manager (or call :meth:`close`): leaving stops the reader and waits for it."""

    def __init__(self, items: Iterable[T], depth: int = 1):
        self._slots: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._done = False
        self._reader = threading.Thread(target=self._read, args=(iter(items),), name="stamning-reader", daemon=True)
        self._reader.start()

    def _offer(self, entry: tuple) -> bool:
        while not self._stop.is_set():
            try:
                self._slots.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _read(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._offer((item, None)):
                    return
            self._offer((_END, None))
        except BaseException as err:  # handed to the consumer and raised there
            self._offer((_END, err))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item, err = self._slots.get()
        if item is _END:
            self.close()
            if err is not None:
                raise err
            raise StopIteration
        return item

    def close(self) -> None:
        self._done = True
        self._stop.set()
        self._reader.join()

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def arrow_safe(frame: pd.DataFrame) -> pa.Table:
    """An Arrow table of the frame; object columns with mixed types become text (None stays empty)."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in fixed[col]]
        return pa.Table.from_pandas(fixed, preserve_index=False)


class PartStore:
    """Finished chunks of one run, next to the output, with a manifest that decides if they can be reused.

    The parts hold comments: they are kept only while ``--resume`` can use them (after a failure or an
    interruption) and removed when the output is complete or with ``--clean``."""

    def __init__(self, output: Path, manifest: dict):
        self.dir = output.with_name(output.name + ".parts")
        self.manifest = manifest

    def open(self, resume: bool, clean: bool = False) -> int:
        """Prepare the folder; returns how many finished parts are reused (0 without --resume).

        Parts left by an earlier run are never dropped silently: without ``resume`` or ``clean`` they are
        refused; with ``resume`` a manifest that differs is refused with what changed."""
        marker = self.dir / "manifest.json"
        if self.dir.exists() and not clean:
            if not resume:
                raise InputError(
                    f"{self.dir}: delresultat från en avbruten körning finns kvar; fortsätt med --resume "
                    "eller börja om med --clean (delarna innehåller kommentarer och tas då bort)"
                )
            old = self._read(marker)
            if old == self.manifest:
                return len(self.finished())
            raise InputError(
                f"--resume: {'; '.join(differences(old or {}, self.manifest))}; de sparade delarna i "
                f"{self.dir} passar inte längre. Börja om med --clean i stället för --resume"
            )
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, mode=0o700)
        with atomic_output(marker) as tmp:
            tmp.write_text(json.dumps(self.manifest, indent=2), "utf-8")
        return 0

    @staticmethod
    def _read(marker: Path) -> dict | None:
        try:
            return json.loads(marker.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def path(self, k: int) -> Path:
        return self.dir / f"part-{k:06d}.parquet"

    def finished(self) -> list[Path]:
        return sorted(self.dir.glob("part-*.parquet"))

    def has(self, k: int) -> bool:
        return self.path(k).is_file()

    def write(self, k: int, frame: pd.DataFrame) -> None:
        with atomic_output(self.path(k)) as tmp:
            pq.write_table(arrow_safe(frame), tmp)

    def frames(self) -> Iterator[pd.DataFrame]:
        for part in self.finished():
            yield pq.read_table(part).to_pandas()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def assemble(store: PartStore, output: Path, fixes: CellFixes | None = None) -> tuple[int, int]:
    """Write the parts, in order, to ``output`` (format by extension) via a temporary file.

    Returns (rows, rows with status ok); cells an .xlsx cannot hold are made safe and counted in ``fixes``."""
    suffix = output.suffix.lower()
    counts = {"rows": 0, "ok": 0}

    def frames():  # each part read once: written and counted in the same pass
        for frame in store.frames():
            counts["rows"] += len(frame)
            counts["ok"] += int((frame["status"] == "ok").sum())
            yield frame

    with atomic_output(output) as tmp:
        if suffix == ".parquet":
            _assemble_parquet(frames(), tmp)
        elif suffix == ".xlsx":
            write_frames_xlsx(frames(), tmp, fixes)
        else:
            _assemble_text(frames(), tmp, suffix)
    return counts["rows"], counts["ok"]


def _assemble_text(frames, tmp: Path, suffix: str) -> None:
    with open(tmp, "w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as fh:
        for k, frame in enumerate(frames):
            if suffix == ".csv":
                frame.map(csv_value).to_csv(fh, sep=";", index=False, header=(k == 0), lineterminator="\r\n")
            else:
                frame.to_json(fh, orient="records", lines=True, force_ascii=False)


def _assemble_parquet(frames, tmp: Path) -> None:
    writer = None
    try:
        for frame in frames:
            table = arrow_safe(frame)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
