"""Reading comment tables (CSV, XLSX, JSONL, Parquet) and writing results atomically.

Everything a user can get wrong raises :class:`~stamning.errors.InputError` with a one-line message
that names the problem and the fix. Messages never quote a comment's text."""

from __future__ import annotations

import csv
import io as _io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import ColumnError, InputError

READ_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".parquet", ".xml")
WRITE_EXTENSIONS = (".csv", ".xlsx", ".jsonl", ".parquet")

TEXT_NAMES = ("text", "kommentar", "kommentarer", "svar", "fritext", "fritextsvar", "comment", "comments",
              "synpunkt", "synpunkter", "meddelande", "answer", "feedback", "reaktion")
ID_NAMES = ("id", "respondent", "respondentid", "respondent_id", "svarsid", "svar_id", "lopnummer", "nr")
ROUND_NAMES = ("round", "omgang", "enkatomgang", "ar", "year", "period", "matning", "tillfalle")
GROUP_NAMES = ("group", "grupp", "enhet", "forvaltning", "avdelning", "verksamhet", "arbetsplats")
INDEX_NAMES = ("index", "hme", "nmi", "nki", "hmi", "indexvarde", "score", "betyg")


@dataclass(frozen=True)
class Columns:
    """Which source columns hold the text, id, round, group and numeric index (None = absent)."""

    text: str
    id: str | None = None
    round: str | None = None
    group: str | None = None
    index: str | None = None


@dataclass
class Table:
    """A read input: the original frame (all columns as read) and the resolved column roles."""

    frame: pd.DataFrame
    columns: Columns
    path: Path
    offset: int = 0  # rows before this frame in the source (when read in chunks)

    def ids(self) -> list[str]:
        """Each row's id: the id column's value, or the 1-based row number in the source."""
        if self.columns.id is None:
            return [str(self.offset + i + 1) for i in range(len(self.frame))]
        values = self.frame[self.columns.id].tolist()
        return [_id_value(v, self.offset + i) for i, v in enumerate(values)]


def _id_value(value: object, position: int) -> str:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return str(position + 1)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fold(name: object) -> str:
    """Lower-case, strip accents and separators: 'Omgång ' -> 'omgang'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "_").strip("_")


def decode_bytes(raw: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) first, then cp1252 (Swedish Excel's 'CSV (semikolonavgränsad)')."""
    if b"\x00" in raw[:4096] and (raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            f"{path.name}: the file is neither UTF-8 nor Windows-1252 text; "
            "save it again as 'CSV UTF-8' from Excel, or as .xlsx"
        ) from None


def sniff_delimiter(text: str) -> str:
    """Pick ';', ',' or tab: the one that splits the header and first lines most consistently."""
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        header = text[:65536].splitlines()[0] if text else ""
        counts = {d: header.count(d) for d in (";", "\t", ",")}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(path: Path) -> pd.DataFrame:
    text = decode_bytes(path.read_bytes(), path)
    text = text.replace("\x00", "")
    if not text.strip():
        raise InputError(f"{path.name}: the file is empty; export the survey answers again with a header row")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    csv.field_size_limit(2**31 - 1)  # one cell may hold a whole report; MAX_CHARS caps what the model reads
    try:
        return pd.read_csv(_io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                           na_filter=False, engine="python", on_bad_lines="error", skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path.name}: the file is empty; export the survey answers again with a header row") from None
    except (pd.errors.ParserError, csv.Error) as err:
        detail = str(err).split("\n")[0]
        raise InputError(
            f"{path.name}: malformed CSV ({detail}); check quoting on that line, or save the file again from Excel"
        ) from None


def _read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as err:  # zip or XML damage: openpyxl raises many kinds
        raise InputError(f"{path.name}: not a readable .xlsx file ({type(err).__name__}); open it in Excel and save it again as .xlsx") from None
    if sheet is not None and sheet not in book.sheet_names:
        raise InputError(f"{path.name}: no sheet named {sheet!r}; sheets found: {', '.join(book.sheet_names)}")
    frame = pd.read_excel(book, sheet_name=sheet if sheet is not None else 0, dtype=object)
    frame = frame.dropna(how="all")
    return frame.reset_index(drop=True)


def _read_jsonl(path: Path) -> pd.DataFrame:
    import json

    text = decode_bytes(path.read_bytes(), path)
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path.name}: line {number} is not valid JSON ({err.msg}); fix or remove that line") from None
        if not isinstance(value, dict):
            raise InputError(f"{path.name}: line {number} is not a JSON object; each line must be like {{\"text\": \"...\"}}")
        rows.append(value)
    return pd.DataFrame(rows)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:
        raise InputError(f"{path.name}: not a readable Parquet file ({type(err).__name__}); write it again") from None


def read_frame(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read any supported file into a DataFrame, all columns kept, in source order."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found; check the path (current folder: {Path.cwd()})")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a file ({', '.join(READ_EXTENSIONS)})")
    suffix = p.suffix.lower()
    if suffix not in READ_EXTENSIONS:
        raise InputError(f"{p.name}: unknown file type {suffix or '(none)'}; use one of {', '.join(READ_EXTENSIONS)}")
    if p.stat().st_size == 0:
        raise InputError(f"{p.name}: the file is empty; export the survey answers again with a header row")
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(p, sheet)
    elif suffix in (".jsonl", ".ndjson"):
        frame = _read_jsonl(p)
    elif suffix == ".parquet":
        frame = _read_parquet(p)
    elif suffix == ".xml":  # a WordPress export (stamning.sources_wxr)
        from .sources_wxr import read_wxr

        frame = read_wxr(p)[0]
    else:
        frame = _read_csv(p)
    if frame.empty:
        raise InputError(f"{p.name}: no data rows (only a header or nothing); add the answers below the header")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _find(frame: pd.DataFrame, wanted: str | None, names: tuple[str, ...], role: str, path: Path) -> str | None:
    columns = list(frame.columns)
    if wanted is not None:
        if wanted in columns:
            return wanted
        folded = {_fold(c): c for c in columns}
        if _fold(wanted) in folded:
            return folded[_fold(wanted)]
        raise ColumnError(
            f"{path.name}: no column {wanted!r} for {role}; columns found: {', '.join(columns)}; "
            f"pass one of them with --{role}-column"
        )
    folded = {_fold(c): c for c in columns}
    for name in names:
        if name in folded:
            return folded[name]
    return None


def resolve_columns(frame: pd.DataFrame, path: Path, text: str | None = None, id: str | None = None,
                    round: str | None = None, group: str | None = None, index: str | None = None) -> Columns:
    """Map column roles to the frame's columns: explicit names win, then well-known Swedish/English names."""
    text_col = _find(frame, text, TEXT_NAMES, "text", path)
    if text_col is None:
        text_col = next((c for c in frame.columns if any(n in _fold(c) for n in ("kommentar", "fritext", "synpunkt"))), None)
    if text_col is None:
        raise ColumnError(
            f"{path.name}: found no text column (looked for {', '.join(TEXT_NAMES[:6])}, ...); "
            f"columns found: {', '.join(frame.columns)}; name it with --text-column"
        )
    return Columns(
        text=text_col,
        id=_find(frame, id, ID_NAMES, "id", path),
        round=_find(frame, round, ROUND_NAMES, "round", path),
        group=_find(frame, group, GROUP_NAMES, "group", path),
        index=_find(frame, index, INDEX_NAMES, "index", path),
    )


def read_comments(path: str | Path, *, text_column: str | None = None, id_column: str | None = None,
                  round_column: str | None = None, group_column: str | None = None,
                  index_column: str | None = None, sheet: str | None = None) -> Table:
    """Read a survey export and resolve which columns hold text, id, round, group and index."""
    p = Path(path)
    frame = read_frame(p, sheet=sheet)
    columns = resolve_columns(frame, p, text_column, id_column, round_column, group_column, index_column)
    return Table(frame=frame, columns=columns, path=p)


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value:
        if value.startswith(_FORMULA_START) or (value[0] == "-" and len(value) > 1 and not value[1].isspace()
                                                 and not value[1].isalpha()):
            return "'" + value
    return value


def check_output_path(path: str | Path, extensions: tuple[str, ...] = WRITE_EXTENSIONS) -> Path:
    """Fail before any work when the output cannot be written (unknown type, missing folder)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in extensions:
        raise InputError(f"{p.name}: cannot write {suffix or '(no extension)'}; use one of {', '.join(extensions)}")
    if p.parent and not p.parent.exists():
        raise InputError(f"{p}: the folder {p.parent} does not exist; create it or choose another output path")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a file name for the output")
    return p


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write by extension (.csv ';'-separated UTF-8 with BOM, .xlsx, .jsonl, .parquet), atomically."""
    p = check_output_path(path)
    suffix = p.suffix.lower()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".stamning-tmp", dir=p.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write(frame, tmp, suffix)
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write text (UTF-8) via a temporary file and a rename: never a half-written file."""
    p = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".stamning-tmp", dir=p.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp_name, p)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return p


def _write(frame: pd.DataFrame, tmp: Path, suffix: str) -> None:
    from .spreadsheet import csv_value, write_frames_xlsx

    if suffix == ".csv":  # for Swedish Excel: decimal comma, sant/falskt, formulas neutralised
        frame.map(csv_value).to_csv(tmp, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    elif suffix == ".xlsx":  # one Excel table; cells Excel cannot hold made safe
        write_frames_xlsx([frame], tmp)
    elif suffix == ".jsonl":
        frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(tmp, index=False)
