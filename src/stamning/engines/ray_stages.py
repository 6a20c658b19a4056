"""The Ray stages of a run (see :mod:`stamning.engines.ray_run`): what runs on the workers.

- :func:`read_stage`: one task per shard reads it with :func:`~stamning.engines.stream.iter_chunks` (the same
  encoding detection, cp1252 fallback, delimiter sniffing and ``dtype=str`` as the single-process path; Ray's
  own CSV reader infers types and would not match), resolves the columns on the first chunk with
  :func:`~stamning.io.tables.resolve_columns` as ``classify_file`` does, and emits a narrow table: shard, row,
  id (:meth:`~stamning.io.tables.Table.ids`), text.
- :class:`Classifier`: the actor; loads the model once (``__init__``) and runs
  :func:`stamning.engines.local.classify_table` on its batches.
- :func:`write_shard`: reads the shard again, joins it to its predictions with
  :func:`stamning.engines.local.predictions_frame`, writes ``<stem>.parquet`` (temporary file + rename) and
  then its manifest ``<stem>.parquet.json`` (also atomic).

Nothing here imports Ray: the stages are plain functions and classes that Ray Data calls."""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stamning.engines.ray_plan import manifest_for, model_dir, model_identity
from stamning.errors import InputError, ModelError
from stamning.io.tables import resolve_columns
from stamning.options import ClassifyOptions
from stamning.records import OUTPUT_COLUMNS, PROB_COLUMNS, STATUS_OK, Prediction

WRITE_CHUNK_ROWS = 2048  # classify_file's default chunk size: the join reads the shard in the same chunks
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


def _narrow(shard: int, table, total: int) -> pa.Table:
    texts = table.model_texts()  # what the model reads; the write stage takes the texts from the file
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


def read_stage(batch: pa.Table, chunk_rows: int) -> Iterator[pa.Table]:
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


class Classifier:
    """Ray Data actor: loads the model once, then classifies narrow batches with classify_table."""

    def __init__(self, model: str, identity: dict, options: dict, threads: int):
        from stamning.model.loading import hub_offline_default, load_model

        hub_offline_default()
        settings = ClassifyOptions.from_dict(options)
        device = settings.device.value
        if device == "cpu":
            import torch

            torch.set_num_threads(max(1, threads))
        if model_identity(model_dir(model)) != identity:
            raise ModelError(
                f"{model}: modellen på noden {os.uname().nodename} skiljer sig från huvudnodens "
                "(vikter eller config.json); installera samma stamning-version och modell på varje nod"
            )
        self.model = load_model(model, device=device)
        self.settings = settings

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
        s = self.settings
        preds = classify_table(
            self.model,
            table,
            batch_size=s.batch_size,
            chunk_rows=max(1, len(frame)),
            precision=s.precision.value,
            detect_mixed=s.detect_mixed,
        )
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


def write_shard(spec: dict, predictions: pa.Table) -> dict:
    """Join a shard with its predictions (in row order), write the Parquet output and then its manifest."""
    from stamning.engines.local import predictions_frame
    from stamning.engines.stream import arrow_safe, iter_chunks
    from stamning.io.outputs import atomic_output
    from stamning.io.tables import Table, atomic_write_text

    _check_unchanged(spec)
    path, out = Path(spec["input"]), Path(spec["output"])
    columns = None
    ids = predictions.column("id").to_pylist()
    rows = predictions.select(list(OUTPUT_COLUMNS)).to_pylist()
    tables, offset, lost = [], 0, 0
    for chunk in iter_chunks(path, WRITE_CHUNK_ROWS):
        columns = columns or _columns(chunk, path, spec)
        table = Table(chunk.reset_index(drop=True), columns, path, offset)
        n = len(chunk)
        if table.ids() != ids[offset : offset + n]:
            raise InputError(
                f"{path.name}: raderna {offset + 1}–{offset + n} lästes annorlunda än vid klassningen; "
                "kör igen när filen är klar"
            )
        stand_ins = [_Precomputed(r) for r in rows[offset : offset + n]]
        tables.append(arrow_safe(predictions_frame(table, cast(list[Prediction], stand_ins))))  # only to_columns()
        lost += table.lost_marks()  # the read stage gave the model these texts without a lost character's "?"
        offset += n
    if columns is None or offset != len(rows):
        raise InputError(f"{path.name}: {offset} rader nu, {len(rows)} vid klassningen; kör igen när filen är klar")
    arrow = pa.concat_tables(tables, promote_options="permissive")
    marker = manifest_for(out)
    marker.unlink(missing_ok=True)  # an old manifest must never vouch for a new file
    with atomic_output(out) as tmp:
        pq.write_table(arrow, tmp)
    ok = int(pc.sum(pc.equal(arrow.column("status"), STATUS_OK)).as_py() or 0)
    manifest = {**spec["expected"], "rows": offset, "ok": ok, "columns": asdict(columns), "output": out.name}
    atomic_write_text(marker, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return {"shard": spec["shard"], "rows": offset, "ok": ok, "lost_marks": lost}
