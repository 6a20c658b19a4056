"""Reading .xlsx survey exports in streaming mode, with limits a hostile file cannot get past.

openpyxl's read-only mode parses the sheet row by row. The size a sheet declares (``<dimension>``) is
never trusted: a 5 KB file with one cell at XFD1048576 would otherwise make every row 16,384 cells wide.
Before parsing, the archive is checked: its uncompressed size is capped (a zip bomb or a 300 MB cell in a
small file is refused before it is inflated), and XML with a document type or entity declarations (XXE,
"billion laughs") is refused by name. While reading, the number of filled cells, the last used column
and a cell's length are capped (Excel itself allows 32,767 characters in a cell)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from stamning.errors import InputError
from stamning.io.textfile import header_names, short_name

MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_CELLS = 20_000_000
MAX_COLUMNS = 2_000
MAX_CELL_CHARS = 32_767
_XML_HEAD = 4096


def _damaged(name: str, what: str) -> InputError:
    return InputError(f"{name}: inte en läsbar .xlsx-fil ({what}); öppna den i Excel och spara den igen som .xlsx")


def check_archive(path: Path) -> None:
    """Refuse archives that inflate beyond the limit or whose XML declares a document type or entities."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            total = sum(e.file_size for e in entries)
            if total > MAX_UNCOMPRESSED:
                raise InputError(
                    f"{path.name}: filen packas upp till {total / 2**20:,.0f} MB, mer än gränsen "
                    f"{MAX_UNCOMPRESSED // 2**20} MB; dela upp den eller spara den som CSV".replace(",", " ")
                )
            for entry in entries:
                if entry.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(entry) as fh:
                        head = fh.read(_XML_HEAD).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError(
                            f"{path.name}: filen innehåller XML-deklarationer (DOCTYPE/ENTITY) som Excel "
                            "aldrig skriver och som kan användas för angrepp; läses inte. Spara om den i Excel"
                        )
    except zipfile.BadZipFile:
        raise _damaged(path.name, "inte ett zip-arkiv") from None


def _cell_text_length(value: object) -> int:
    return len(value) if isinstance(value, str) else 0


def _rows(sheet, name: str):
    """Non-empty rows, trailing empty cells dropped; limits checked as the rows stream by."""
    cells = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
        values = list(row)
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if not values:
            continue
        if len(values) > MAX_COLUMNS:
            raise InputError(
                f"{name}: rad {number} har värden i kolumn {len(values)}; högst {MAX_COLUMNS} kolumner "
                "läses. Ta bort innehållet långt till höger och spara igen"
            )
        cells += sum(v is not None for v in values)
        if cells > MAX_CELLS:
            raise InputError(f"{name}: fler än {MAX_CELLS:,} ifyllda celler; dela upp filen".replace(",", " "))
        longest = max(map(_cell_text_length, values))
        if longest > MAX_CELL_CHARS:
            raise InputError(
                f"{name}: en cell i rad {number} har {longest} tecken, fler än Excel tillåter "
                f"({MAX_CELL_CHARS}); filen är skadad eller inte skapad av Excel"
            )
        yield values


def _header_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def read_xlsx(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The first (or the named) sheet: first non-empty row as header, blank rows dropped, values as stored."""
    from xml.etree.ElementTree import ParseError

    import openpyxl

    check_archive(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as err:  # zip or XML damage: openpyxl raises many kinds
        raise _damaged(path.name, type(err).__name__) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            found = ", ".join(short_name(s) for s in book.sheetnames)
            raise InputError(
                f"{path.name}: ingen flik som heter {short_name(sheet)}; flikar: {found}; ange en av dem med --sheet"
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        ws.reset_dimensions()  # never trust the declared size
        rows = list(_rows(ws, path.name))
    except InputError:
        raise
    except ParseError as err:
        raise _damaged(path.name, f"trasig XML: {str(err).split(':')[0]}") from None
    except Exception as err:
        raise _damaged(path.name, type(err).__name__) from None
    finally:
        book.close()
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    header = [_header_text(v) for v in rows[0]] + [""] * (width - len(rows[0]))
    columns = header_names(header, path.name)
    body = [r + [None] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=columns, dtype=object)
