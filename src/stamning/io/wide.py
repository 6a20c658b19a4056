"""Survey-tool "wide" exports: one row per respondent, one column per question.

Each free-text question becomes its own rows: a respondent with three free-text questions gives three
rows (``id`` = ``respondent:fråga_nr``), with the question in the column ``fråga``, so the summary is
per question (``fråga`` is the group). Every other column (id, round, unit, ratings …) is carried
along on each row; empty answers stay as rows (skipped with the reason "tom text"), so no respondent
and no answer disappears. The columns found are named in a note.

A column is taken as a free-text question when its non-empty cells are mostly not numbers and either
its name says so (kommentar, fritext, synpunkt, övrigt, varför, motivera, förslag, beskriv …) or its
answers average three words or more with many different answers (not a rating scale). Name the
questions yourself with ``--question`` when the guess is wrong."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from stamning.errors import ColumnError
from stamning.io.tables import Table, fold_name, read_frame, resolve_columns

log = logging.getLogger("stamning.sources")
QUESTION = "fråga"
_NEW = ("id", "respondent", "fråga_nr", QUESTION, "text")
_HINTS = (
    "kommentar",
    "fritext",
    "synpunkt",
    "ovrigt",
    "varfor",
    "motivera",
    "forslag",
    "beskriv",
    "forklara",
    "tycker",
)


@dataclass(frozen=True)
class WideLayout:
    """Which columns are free-text questions, which is the respondent id, and the rest (carried along)."""

    questions: tuple[str, ...]
    id: str | None
    other: tuple[str, ...]

    def sentence(self, name: str) -> str:
        other = ", ".join(self.other) or "inga"
        return (
            f"{name}: {len(self.questions)} frågor i fritext ({', '.join(self.questions)}), en rad per svarande "
            f"och fråga; övriga kolumner följer med på varje rad: {other}."
        )


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _number(text: str) -> bool:
    try:
        float(text.replace(",", ".").replace(" ", ""))
        return True
    except ValueError:
        return False


def is_free_text(name: str, values: Sequence[object]) -> bool:
    cells = [str(v).strip() for v in values if not _blank(v)]
    if not cells or sum(_number(c) for c in cells) > len(cells) / 2:
        return False
    if any(h in fold_name(name) for h in _HINTS):
        return True
    words = sum(len(c.split()) for c in cells) / len(cells)
    distinct = len(set(cells))
    return words >= 3 and (distinct > 7 or distinct / len(cells) >= 0.6)


def find_layout(
    frame: pd.DataFrame,
    path: Path,
    questions: Sequence[str] = (),
    id_column: str | None = None,
    round_column: str | None = None,
    group_column: str | None = None,
) -> WideLayout:
    """The questions (given, or guessed as described above) and the respondent id column."""
    roles = resolve_columns(frame, path, text=frame.columns[0], id=id_column, round=round_column, group=group_column)
    taken = {c for c in (roles.id, roles.round, roles.group, roles.index) if c is not None}
    if questions:
        folded = {fold_name(c): c for c in frame.columns}
        unknown = [q for q in questions if q not in frame.columns and fold_name(q) not in folded]
        if unknown:
            raise ColumnError(
                f"{path.name}: ingen kolumn {', '.join(map(repr, unknown))}; kolumner: {', '.join(frame.columns)}"
            )
        chosen = [q if q in frame.columns else folded[fold_name(q)] for q in questions]
    else:
        chosen = [c for c in frame.columns if c not in taken and is_free_text(c, frame[c].tolist())]
    if not chosen:
        raise ColumnError(
            f"{path.name}: hittade ingen fritextfråga bland kolumnerna {', '.join(frame.columns)}; "
            'ange frågorna med --question "Kolumnens namn" (upprepa för flera)'
        )
    other = tuple(c for c in frame.columns if c not in chosen and c != roles.id)
    return WideLayout(tuple(chosen), roles.id, other)


def to_long(frame: pd.DataFrame, layout: WideLayout) -> pd.DataFrame:
    """One row per respondent and question, respondent by respondent, questions in column order."""
    carried = {c: (f"indata_{c}" if c in _NEW else c) for c in layout.other}
    records = []
    for i, row in enumerate(frame.to_dict("records")):
        raw = row.get(layout.id) if layout.id else None
        respondent = (
            str(i + 1)
            if _blank(raw)
            else (str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip())
        )
        for k, question in enumerate(layout.questions, 1):
            answer = row[question]
            records.append(
                {
                    "id": f"{respondent}:{k}",
                    "respondent": respondent,
                    "fråga_nr": k,
                    QUESTION: question,
                    "text": "" if _blank(answer) else answer,
                    **{carried[c]: row[c] for c in layout.other},
                }
            )
    return pd.DataFrame(records, columns=[*_NEW, *carried.values()])


def read_wide(
    path: str | Path,
    *,
    questions: Sequence[str] = (),
    text_column: str | None = None,
    id_column: str | None = None,
    round_column: str | None = None,
    group_column: str | None = None,
    index_column: str | None = None,
    sheet: str | None = None,
) -> Table:
    """A wide export as a long :class:`~stamning.io.tables.Table` (text ``text``, group ``fråga`` unless given).
    ``text_column`` counts as one more question."""
    p = Path(path)
    frame = read_frame(p, sheet=sheet)
    questions = (*questions, text_column) if text_column else tuple(questions)
    layout = find_layout(frame, p, questions, id_column, round_column, group_column)
    log.warning(layout.sentence(p.name))
    long = to_long(frame, layout)
    if "encoding" in frame.attrs:  # what the model reads depends on it (stamning.io.lost_marks); the long
        # Parquet of classify --wide keeps it: pandas stores attrs with the file and pyarrow restores them
        long.attrs["encoding"] = frame.attrs["encoding"]
    columns = resolve_columns(
        long, p, text="text", id="id", round=round_column, group=group_column or QUESTION, index=index_column
    )
    return Table(long, columns, p)


def write_long(path: str | Path, output: str | Path, **kwargs) -> Path:
    """The long form of a wide export as a Parquet file next to ``output`` (for ``classify --wide``); written
    the same way each time with the input's modification time, so an interrupted run can be resumed."""
    table = read_wide(path, **kwargs)
    out = Path(output)
    long_path = out.with_name(f".{out.name}.{Path(path).stem}.lång.parquet")
    frame = table.frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = [
                None if _blank(v) and not isinstance(v, str) else (v if v is None else str(v)) for v in frame[col]
            ]
    frame.to_parquet(long_path, index=False)
    source = Path(path).stat()  # same input, same long file, same fingerprint: classify --resume works
    os.utime(long_path, ns=(source.st_atime_ns, source.st_mtime_ns))
    return long_path


def wide_options(options):
    """SurveyOptions for a wide export: always grouped (per question, ``fråga``, unless a group column was named)."""
    return options if "group" in options.by else replace(options, by=(*options.by, "group"))
