"""Files a spreadsheet user can work with: Excel cells, real Excel tables, and a CSV for Swedish Excel.

XLSX: one real Excel table per sheet (filter buttons, banded rows), a frozen header row, column widths,
number and percent formats, numbers stored as numbers and booleans as booleans (Swedish Excel shows them
as SANT/FALSKT). A cell Excel cannot hold is never the end of a run: control characters (C0 except tab,
line feed and carriage return; an ANSI escape's ESC), lone surrogates and U+FFFE/U+FFFF become U+FFFD, visibly, and text over 32,767
characters is cut; :class:`CellFixes` counts both for the summary line.

CSV (``;``, UTF-8 with BOM): what Swedish Excel reads as numbers and booleans: decimal comma
(``0,8123``) and ``sant``/``falskt``.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stamning.io.tables import neutralise_formula

XLSX_MAX_CELL = 32_767
REPLACEMENT = "\ufffd"
# what openpyxl refuses (IllegalCharacterError), and what XML cannot hold at all (lone surrogates, e.g. from a
# JSONL "\\ud800" escape, and the noncharacters U+FFFE/U+FFFF)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XLSX_TYPES = (str, int, float, bool, _dt.datetime, _dt.date, _dt.time, _dt.timedelta, decimal.Decimal)
_SURROGATE = re.compile("[\ud800-\udfff]")
CSV_TRUE, CSV_FALSE = "sant", "falskt"

PERCENT = "0%"
PERCENT_1 = "0.0%"
DECIMAL_2 = "0.00"
DECIMAL_4 = "0.0000"
INTEGER = "0"
SIGNED = "+0;-0;0"


@dataclass
class CellFixes:
    """Cells changed so that Excel can hold them."""

    replaced: int = 0  # cells with characters replaced by U+FFFD
    cut: int = 0  # cells cut at 32,767 characters

    def add(self, other: CellFixes) -> None:
        self.replaced += other.replaced
        self.cut += other.cut

    def note(self) -> str:
        """A Swedish clause for the summary line, empty when nothing was changed."""
        parts = []
        if self.replaced:
            parts.append(
                f"{self.replaced} {'cell' if self.replaced == 1 else 'celler'} med tecken som Excel inte "
                f"kan lagra (ersatta med {REPLACEMENT})"
            )
        if self.cut:
            parts.append(
                f"{self.cut} {'cell' if self.cut == 1 else 'celler'} kortade till {XLSX_MAX_CELL:,} tecken".replace(
                    ",", " "
                )
            )
        return "; ".join(parts)


CUT_REASON = f"en cell kortades till {XLSX_MAX_CELL:,} tecken i .xlsx".replace(",", " ")


def xlsx_value(value, fixes: CellFixes | None = None):
    """A value Excel can hold: numbers and booleans as they are, text with formulas neutralised,
    illegal characters replaced and length capped; anything else as text; missing as an empty cell."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
        if isinstance(value, float) and value != value:
            return None
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones
    if not isinstance(value, _XLSX_TYPES):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = neutralise_formula(value)
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub(REPLACEMENT, value)
        if fixes is not None:
            fixes.replaced += 1
    if len(value) > XLSX_MAX_CELL:
        value = value[:XLSX_MAX_CELL]
        if fixes is not None:
            fixes.cut += 1
    return value


def needs_fix(value) -> bool:
    """Would :func:`xlsx_value` change this text (illegal characters or too long)?"""
    return isinstance(value, str) and (len(value) > XLSX_MAX_CELL or _ILLEGAL.search(value) is not None)


def csv_value(value):
    """A value as Swedish Excel reads it from a ';' CSV: decimal comma, sant/falskt, formulas neutralised."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, bool):
        return CSV_TRUE if value else CSV_FALSE
    if isinstance(value, float):
        if value != value:
            return ""
        return np.format_float_positional(value, trim="-").replace(".", ",")
    if isinstance(value, str):  # UTF-8 cannot hold a lone surrogate: shown as U+FFFD, not a failed run
        return neutralise_formula(_SURROGATE.sub(REPLACEMENT, value))
    return value


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: header, Excel number format, width (None: fit the content), wrap."""

    name: str
    format: str | None = None
    width: float | None = None
    wrap: bool = False


def table_name(title: str, used: set[str]) -> str:
    """A valid, workbook-unique Excel table name from a sheet title ('Att uppmärksamma' -> 'Att_uppmarksamma')."""
    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_).strip("_") or "Tabell"
    if not base[0].isalpha():
        base = "T_" + base
    base = base[:200]
    name, i = base, 2
    while name.lower() in used or re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]", name):
        name, i = f"{base}_{i}", i + 1
    used.add(name.lower())
    return name


def headers_fit_a_table(names: Sequence[str]) -> bool:
    """Excel table headers must be non-empty text, unique regardless of case."""
    folded = [str(n).strip().lower() for n in names]
    return all(folded) and len(set(folded)) == len(folded)


def fit_width(values: Iterable, header: str, cap: float = 60) -> float:
    longest = max([len(header) + 3] + [len(str(v)) for v in values if v is not None] or [0])
    return float(min(max(longest + 2, 6), cap))


def add_table_sheet(
    wb, title: str, columns: Sequence[Column], rows: Sequence[Sequence], used: set[str], fixes: CellFixes | None = None
):
    """A sheet holding one Excel table (header row frozen, filter buttons, formats, widths)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ws = wb.create_sheet(title)
    ws.append([c.name for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in rows:
        ws.append([xlsx_value(v, fixes) for v in values])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text is text, never a formula
    for j, col in enumerate(columns, 1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width or fit_width((r[j - 1] for r in rows), col.name)
        if col.format or col.wrap:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if col.format:
                    cell.number_format = col.format
                if col.wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    last = f"{get_column_letter(len(columns))}{max(len(rows), 1) + 1}"
    if not rows:
        ws.append([None] * len(columns))  # a table needs one data row
    table = Table(displayName=table_name(title, used), ref=f"A1:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    return ws


def _column_format(name: str) -> str | None:
    if name.startswith("p_") or name == "sentiment_confidence":
        return PERCENT_1
    if name == "sentiment_score":
        return DECIMAL_2
    return None


def write_frames_xlsx(
    frames: Iterable,
    path: Path,
    fixes: CellFixes | None = None,
    title: str = "stamning",
    reason_column: str | None = "reason",
) -> int:
    """Stream data frames (same columns) into one sheet holding one Excel table; returns the row count.

    Written in openpyxl's write-only mode (bounded memory). A row whose cell had to be cut says so in
    ``reason_column`` when the frame has one."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    fixes = fixes if fixes is not None else CellFixes()
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError("write_frames_xlsx needs at least one frame (it gives the columns)")
    wb = Workbook(write_only=True)
    wb.properties.created = wb.properties.modified = datetime(2000, 1, 1)  # byte-identical reruns
    ws = wb.create_sheet(title)
    header = [xlsx_value(str(c), fixes) or f"Kolumn {j}" for j, c in enumerate(first.columns, 1)]
    sample = first.head(200)
    for j, col in enumerate(first.columns, 1):
        ws.column_dimensions[get_column_letter(j)].width = fit_width(sample[col].tolist(), header[j - 1])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head_cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)
    formats = [_column_format(str(c)) for c in first.columns]
    reason_at = list(first.columns).index(reason_column) if reason_column in first.columns else None
    rows = 0
    for frame in _chain(first, frames):
        for values in frame.itertuples(index=False, name=None):
            row_fixes = CellFixes()
            out = [xlsx_value(v, row_fixes) for v in values]
            if row_fixes.cut and reason_at is not None:
                out[reason_at] = "; ".join(x for x in (out[reason_at], CUT_REASON) if x)
            fixes.add(row_fixes)
            ws.append([_formatted(ws, v, f) for v, f in zip(out, formats)])
            rows += 1
    ref = f"A1:{get_column_letter(len(header))}{rows + 1}"
    if headers_fit_a_table(header):
        # columns named here: openpyxl cannot read them back from a write-only sheet
        table = Table(
            displayName="stamning",
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableColumns=[TableColumn(id=j, name=name) for j, name in enumerate(header, 1)],
        )
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        with warnings.catch_warnings():  # openpyxl warns in write-only mode even when the columns are set
            warnings.simplefilter("ignore", UserWarning)
            ws.add_table(table)
    else:
        ws.auto_filter.ref = ref
    wb.save(path)
    make_reproducible(path)
    return rows


def _chain(first, rest):
    yield first
    yield from rest


def _formatted(ws, value, number_format: str | None):
    if number_format is None or value is None:
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def make_reproducible(path: Path) -> None:
    """Fix the time stamps openpyxl and zipfile write, so the same rows give the same bytes."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    from stamning.io.outputs import atomic_output

    with atomic_output(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
