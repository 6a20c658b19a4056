"""Streaming: read big inputs in chunks, keep finished chunks as parts, assemble the output at the end.

A run over ``out.csv`` keeps its finished chunks in ``out.csv.parts/`` (each part written atomically),
with a manifest naming the input, the model and the chunk size. ``--resume`` reuses the parts whose
manifest matches; the final file is assembled from the parts in order and renamed into place, so every
row comes out exactly once, in input order, and an interrupted run never leaves a half-written output."""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import InputError
from .io import read_frame, sniff_delimiter
from .spreadsheet import CellFixes, csv_value, write_frames_xlsx

BLOCK = 1 << 20


def detect_text_encoding(path: Path) -> str:
    """'utf-8-sig' when the whole file decodes as UTF-8, else 'cp1252' (checked in blocks, bounded memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        try:
            for block in iter(lambda: fh.read(BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            return "cp1252"


def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    encoding = detect_text_encoding(path)
    with open(path, encoding=encoding, errors="strict", newline="") as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise InputError(f"{path.name}: the file is empty; export the survey answers again with a header row")
    sep = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(head)
    try:
        any_rows = False
        with pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding,
                         on_bad_lines="error", chunksize=chunk_rows, engine="c") as reader:
            for chunk in reader:
                any_rows = any_rows or len(chunk) > 0
                chunk.columns = [str(c) for c in chunk.columns]
                yield chunk.map(lambda v: v.replace("\x00", "") if isinstance(v, str) else v)
        if not any_rows:
            raise InputError(f"{path.name}: no data rows (only a header or nothing); add the answers below the header")
    except pd.errors.EmptyDataError:
        raise InputError(f"{path.name}: the file is empty; export the survey answers again with a header row") from None
    except (pd.errors.ParserError, csv.Error) as err:
        detail = str(err).split("\n")[0]
        raise InputError(f"{path.name}: malformed CSV ({detail}); check quoting on that line, or save the file again from Excel") from None


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        file = pq.ParquetFile(path)
    except Exception as err:
        raise InputError(f"{path.name}: not a readable Parquet file ({type(err).__name__}); write it again") from None
    if file.metadata.num_rows == 0:
        raise InputError(f"{path.name}: no data rows; add the answers")
    for batch in file.iter_batches(batch_size=chunk_rows):
        yield batch.to_pandas()


def iter_chunks(path: str | Path, chunk_rows: int, sheet: str | None = None) -> Iterator[pd.DataFrame]:
    """The input in chunks of ``chunk_rows`` rows, in order. CSV and Parquet stream; others are read whole."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt") and p.is_file() and p.stat().st_size > 0:
        yield from _csv_chunks(p, chunk_rows)
    elif suffix == ".parquet" and p.is_file():
        yield from _parquet_chunks(p, chunk_rows)
    else:
        frame = read_frame(p, sheet=sheet)
        for start in range(0, len(frame), chunk_rows):
            yield frame.iloc[start:start + chunk_rows].reset_index(drop=True)


def _arrow_safe(frame: pd.DataFrame) -> pa.Table:
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
    """Finished chunks of one run, next to the output, with a manifest that decides if they can be reused."""

    def __init__(self, output: Path, manifest: dict):
        self.dir = output.with_name(output.name + ".parts")
        self.manifest = manifest

    def open(self, resume: bool) -> int:
        """Prepare the folder; returns how many finished parts are reused (0 without --resume)."""
        marker = self.dir / "manifest.json"
        if resume and marker.is_file() and json.loads(marker.read_text("utf-8")) == self.manifest:
            return len(self.finished())
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        marker.write_text(json.dumps(self.manifest, indent=2), "utf-8")
        return 0

    def path(self, k: int) -> Path:
        return self.dir / f"part-{k:06d}.parquet"

    def finished(self) -> list[Path]:
        return sorted(self.dir.glob("part-*.parquet"))

    def has(self, k: int) -> bool:
        return self.path(k).is_file()

    def write(self, k: int, frame: pd.DataFrame) -> None:
        tmp = self.dir / f".part-{k:06d}.tmp"
        pq.write_table(_arrow_safe(frame), tmp)
        os.replace(tmp, self.path(k))

    def frames(self) -> Iterator[pd.DataFrame]:
        for part in self.finished():
            yield pq.read_table(part).to_pandas()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def input_fingerprint(path: Path) -> dict:
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        digest.update(fh.read(BLOCK))
    return {"name": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "head_sha256": digest.hexdigest()}


def assemble(store: PartStore, output: Path, fixes: CellFixes | None = None) -> tuple[int, int]:
    """Write the parts, in order, to ``output`` (format by extension) via a temporary file.

    Returns (rows, rows with status ok); cells an .xlsx cannot hold are made safe and counted in ``fixes``."""
    suffix = output.suffix.lower()
    tmp = output.with_name(f".{output.name}.stamning-tmp")
    counts = {"rows": 0, "ok": 0}

    def frames():  # each part read once: written and counted in the same pass
        for frame in store.frames():
            counts["rows"] += len(frame)
            counts["ok"] += int((frame["status"] == "ok").sum())
            yield frame

    try:
        if suffix == ".parquet":
            _assemble_parquet(frames(), tmp)
        elif suffix == ".xlsx":
            write_frames_xlsx(frames(), tmp, fixes)
        else:
            _assemble_text(frames(), tmp, suffix)
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()
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
            table = _arrow_safe(frame)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
