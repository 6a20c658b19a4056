"""Delimited text files (CSV, TSV): one reader for every verb, whole-file and in chunks.

Encoding: a byte-order mark decides (UTF-8, UTF-16 LE/BE); UTF-16 without a mark is recognised by its
zero bytes; otherwise UTF-8, then Windows-1252 (Swedish Excel's "CSV (semikolonavgränsad)"). The whole
file is checked in blocks (bounded memory) before any row is read. Bytes that are not text (an image or
random bytes named .csv) are refused by name. NUL characters are removed here and only here, while the
file is read. Line endings: Windows (CRLF), Unix (LF), a mix of the two, and old Mac (CR, recognised when
lone CRs outnumber LFs); the other break character (a lone CR in an LF file, an LF in a CR file) is
part of its cell. Line breaks inside quoted cells stay
part of the cell. The delimiter (``;``, ``,`` or tab) is detected from the
first lines (tab for ``.tsv``)."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from stamning.errors import InputError

BLOCK = 1 << 20
SAMPLE = 64 * 1024
TRIED = "UTF-8, UTF-16 och Windows-1252"
MAX_CONTROL_SHARE = 0.05  # control characters in the first 64 KiB above this share: not text
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\x0c", "\x00"}  # NULs are stray bytes of broken exports: removed


def _not_text(name: str) -> InputError:
    return InputError(
        f"{name}: filen är inte text i en känd teckenkodning (försökte {TRIED}); "
        "spara den som 'CSV UTF-8' eller .xlsx från Excel, eller välj rätt fil"
    )


def _candidates(head: bytes) -> tuple[str, ...]:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return (encoding,)
    sample = head[:4096]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
            return ("utf-16-le",)
        if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
            return ("utf-16-be",)
    return ("utf-8-sig", "cp1252")


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(BLOCK), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def looks_like_text(sample: str) -> bool:
    if not sample:
        return True
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS)
    nuls = sample.count("\x00")
    return controls <= MAX_CONTROL_SHARE * len(sample) and nuls <= 0.25 * len(sample)


def detect_encoding(path: Path) -> str:
    """The file's text encoding (a Python codec name); InputError when it is not text in any we know."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    for encoding in _candidates(head):
        if _decodes(path, encoding):
            if not looks_like_text(head.decode(encoding, errors="ignore")):
                break
            return encoding
    raise _not_text(path.name)


def decode_bytes(raw: bytes, path: Path) -> str:
    """Small files read whole (a names list): the same detection, NULs removed."""
    for encoding in _candidates(raw[:SAMPLE]):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not looks_like_text(text[:SAMPLE]):
            break
        return text.replace("\x00", "")
    raise _not_text(Path(path).name)


def sniff_delimiter(text: str) -> str:
    """Pick ';', ',' or tab: the one that splits the header and first lines most consistently."""
    sample = "\n".join(text[:SAMPLE].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        header = text[:SAMPLE].splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in (";", "\t", ",")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


_HIDDEN = "\ufdd0"  # a Unicode noncharacter: stands in for a line-break character inside a cell
_LONE_CR = re.compile(r"\r(?!\n)")
_FIRST_BREAK = re.compile(r"\r*\n|\r")
_LONE_LF = re.compile(r"(?<!\r)\n")


def cr_is_line_break(head: str) -> bool:
    """Old Mac files end lines with a lone CR; elsewhere a lone CR is part of a cell (pasted text). The break that
    ends the first line (the header row, which holds no pasted text) tells which: counting them would let a few
    cells full of pasted CRs outvote the line ends."""
    first = _FIRST_BREAK.search(head)  # CRs before an LF ("\r\r\n") still end the line at the LF
    return first is not None and first.group() == "\r"


def _clean_lines(lines: Iterable[str], cr_ends_lines: bool) -> Iterator[str]:
    """NULs removed (the one place they are); the other line-break character, the one that does not end
    lines in this file, is hidden from the CSV parser (and restored in the cells)."""
    lone, char = (_LONE_LF, "\n") if cr_ends_lines else (_LONE_CR, "\r")
    for line in lines:
        if "\x00" in line:
            line = line.replace("\x00", "")
        if char in line:
            end = len(line) - len(line.rstrip("\r\n"))
            line = lone.sub(_HIDDEN, line[: len(line) - end]) + line[len(line) - end :]
        yield line


def _empty(name: str) -> InputError:
    return InputError(f"{name}: filen är tom; exportera svaren igen med en rubrikrad")


def header_names(raw: list[str], name: str) -> list[str]:
    """Column names from a header row: blanks become ``kolumn_N``; a name used twice is refused."""
    names = [h.strip() or f"kolumn_{k}" for k, h in enumerate(raw, 1)]
    seen: dict[str, int] = {}
    for k, column in enumerate(names, 1):
        if column in seen:
            raise InputError(
                f"{name}: kolumnnamnet {short_name(column, k)} finns två gånger (kolumn {seen[column]} "
                f"och {k}); byt namn på den ena i filen så att varje kolumn har ett eget namn"
            )
        seen[column] = k
    return names


def looks_like_free_text(value: object) -> bool:
    """More than four words or 40 characters: more likely a comment (a header-less file) than a name."""
    text = " ".join(str(value).split())
    return len(text.split()) > 4 or len(text) > 40


def short_name(value: object, position: int | None = None) -> str:
    """A column (or sheet) name fit for a message: quoted, or only its position when it looks like a comment."""
    if looks_like_free_text(value):
        return f"[kolumn {position}: lång text, visas inte]" if position else "[lång text, visas inte]"
    return repr(" ".join(str(value).split()))


def column_list(columns, limit: int = 12) -> str:
    """Columns for a message: short names, positions for cells that look like comments, at most ``limit``."""
    names = [short_name(c, k) for k, c in enumerate(columns, 1)]
    more = f" och {len(names) - limit} till" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The rows of a delimited text file as DataFrames of at most ``chunk_rows`` rows (all cells text)."""
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, errors="strict", newline="") as fh:
        head = fh.read(SAMPLE).replace("\x00", "")
        if not head.strip():
            raise _empty(path.name)
        delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(head)
        cr_ends_lines = cr_is_line_break(head)
    csv.field_size_limit(2**31 - 1)  # one cell may hold a whole report; MAX_CHARS caps what the model reads
    # Lines end at LF (CRLF included) unless the file is an old Mac one, where CR ends them.
    with open(path, encoding=encoding, errors="strict", newline="\r" if cr_ends_lines else "\n") as fh:
        reader = csv.reader(_clean_lines(fh, cr_ends_lines), delimiter=delimiter, strict=True)
        for frame in _frames(reader, path.name, chunk_rows, "\n" if cr_ends_lines else "\r"):
            frame.attrs["encoding"] = encoding  # read by Table.encoding (stamning.io.lost_marks)
            yield frame


def _frames(reader, name: str, chunk_rows: int, hidden: str) -> Iterator[pd.DataFrame]:
    header = None
    rows: list[list[str]] = []
    any_rows = False
    try:
        for record in reader:
            if not record:
                continue  # a blank line
            record = [c.replace(_HIDDEN, hidden) if _HIDDEN in c else c for c in record]
            if header is None:
                header = header_names(record, name)
                continue
            if len(record) > len(header):
                if any(cell.strip() for cell in record[len(header) :]):
                    raise InputError(
                        f"{name}: rad {reader.line_num} har {len(record)} fält men rubrikraden "
                        f"{len(header)}; kontrollera citattecken på den raden eller spara filen igen från Excel"
                    )
                record = record[: len(header)]
            rows.append(record + [""] * (len(header) - len(record)))
            if len(rows) >= chunk_rows:
                any_rows = True
                yield pd.DataFrame(rows, columns=header, dtype=str)
                rows = []
    except csv.Error as err:
        raise InputError(
            f"{name}: trasig CSV nära rad {reader.line_num} ({err}); kontrollera citattecken "
            "på den raden eller spara filen igen från Excel"
        ) from None
    if header is None:
        raise _empty(name)
    if rows or not any_rows:
        if not rows:
            raise InputError(f"{name}: inga datarader (bara en rubrikrad); lägg svaren under rubrikraden")
        yield pd.DataFrame(rows, columns=header, dtype=str)
