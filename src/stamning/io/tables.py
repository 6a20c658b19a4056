"""Reading comment tables (CSV, XLSX, JSONL, Parquet) and writing results atomically.

Everything a user can get wrong raises :class:`~stamning.errors.InputError` with a one-line message
that names the problem and the fix. Messages never quote a comment's text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stamning.errors import ColumnError, InputError
from stamning.io.lost_marks import count_lost_marks, texts_for_model
from stamning.io.outputs import atomic_output
from stamning.io.textfile import (
    column_list,
    csv_chunks,
    decode_bytes,
    looks_like_free_text,
    short_name,
)
from stamning.io.xlsx import read_xlsx

READ_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".parquet", ".xml")
WRITE_EXTENSIONS = (".csv", ".xlsx", ".jsonl", ".parquet")

TEXT_NAMES = (
    "text",
    "kommentar",
    "kommentarer",
    "svar",
    "fritext",
    "fritextsvar",
    "comment",
    "comments",
    "synpunkt",
    "synpunkter",
    "meddelande",
    "answer",
    "feedback",
    "reaktion",
)
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

    @property
    def encoding(self) -> str | None:
        """The text encoding the rows were read in (CSV, TSV), else None."""
        value = self.frame.attrs.get("encoding")
        return value if isinstance(value, str) else None

    def model_texts(self) -> list[object]:
        """The text column as the model reads it: lost characters of a legacy export left out
        (:mod:`stamning.io.lost_marks`); the frame keeps the texts as they were."""
        return texts_for_model(self.frame[self.columns.text].tolist(), self.encoding)

    def lost_marks(self) -> int:
        """How many texts the model reads without a lost character."""
        return count_lost_marks(self.frame[self.columns.text].tolist(), self.encoding)


def _id_value(value: object, position: int) -> str:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return str(position + 1)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold_name(name: object) -> str:
    """Lower-case, strip accents and separators: 'Omgång ' -> 'omgang'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "_").strip("_")


def _read_csv(path: Path) -> pd.DataFrame:
    frames = list(csv_chunks(path, 1 << 30))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


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
            raise InputError(
                f"{path.name}: rad {number} är inte giltig JSON ({err.msg}); rätta eller ta bort raden"
            ) from None
        if not isinstance(value, dict):
            raise InputError(
                f'{path.name}: rad {number} är inte ett JSON-objekt; varje rad ska se ut som {{"text": "..."}}'
            )
        rows.append(value)
    return pd.DataFrame(rows)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:
        raise InputError(f"{path.name}: inte en läsbar Parquet-fil ({type(err).__name__}); skriv den igen") from None


def check_input_path(p: Path) -> None:
    """Fail early, by name, when the input is missing, a folder, of an unknown type or empty."""
    if not p.exists():
        raise InputError(f"{p}: filen finns inte; kontrollera sökvägen (aktuell mapp: {Path.cwd()})")
    if p.is_dir():
        raise InputError(f"{p}: är en mapp; ange en fil ({', '.join(READ_EXTENSIONS)})")
    suffix = p.suffix.lower()
    if suffix not in READ_EXTENSIONS:
        raise InputError(
            f"{p.name}: okänd filtyp {suffix or '(ingen ändelse)'}; använd någon av {', '.join(READ_EXTENSIONS)}"
        )
    if p.stat().st_size == 0:
        raise InputError(f"{p.name}: filen är tom; exportera svaren igen med en rubrikrad")


def read_frame(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read any supported file into a DataFrame, all columns kept, in source order."""
    p = Path(path)
    check_input_path(p)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = read_xlsx(p, sheet)
    elif suffix in (".jsonl", ".ndjson"):
        frame = _read_jsonl(p)
    elif suffix == ".parquet":
        frame = _read_parquet(p)
    elif suffix == ".xml":  # a WordPress export (stamning.io.wxr)
        from stamning.io.wxr import read_wxr

        frame = read_wxr(p)[0]
    else:
        frame = _read_csv(p)
    if frame.empty:
        raise InputError(
            f"{p.name}: inga datarader (bara en rubrikrad eller inget alls); lägg svaren under rubrikraden"
        )
    frame.columns = [str(c) for c in frame.columns]
    return frame


_ROLE_SV = {"text": "text", "id": "id", "round": "omgång", "group": "grupp", "index": "index"}


def _find(frame: pd.DataFrame, wanted: str | None, names: tuple[str, ...], role: str, path: Path) -> str | None:
    columns = list(frame.columns)
    if wanted is not None:
        if wanted in columns:
            return wanted
        folded = {fold_name(c): c for c in columns}
        if fold_name(wanted) in folded:
            return folded[fold_name(wanted)]
        raise ColumnError(
            f"{path.name}: ingen kolumn {short_name(wanted)} ({_ROLE_SV[role]}); kolumner i filen: {column_list(columns)}; "
            f"ange en av dem med --{role}-column"
        )
    folded = {fold_name(c): c for c in columns}
    for name in names:
        if name in folded:
            return folded[name]
    return None


def resolve_columns(
    frame: pd.DataFrame,
    path: Path,
    text: str | None = None,
    id: str | None = None,
    round: str | None = None,
    group: str | None = None,
    index: str | None = None,
) -> Columns:
    """Map column roles to the frame's columns: explicit names win, then well-known Swedish/English names."""
    text_col = _find(frame, text, TEXT_NAMES, "text", path)
    if text_col is None:
        text_col = next(
            (
                c
                for c in frame.columns
                if not looks_like_free_text(c)  # a comment in a header-less file
                and any(n in fold_name(c) for n in ("kommentar", "fritext", "synpunkt"))
            ),
            None,
        )
    if text_col is None:
        raise ColumnError(
            f"{path.name}: hittade ingen textkolumn (letade efter {', '.join(TEXT_NAMES[:6])} …); "
            f"kolumner i filen: {column_list(frame.columns)}; ange den med --text-column"
            f"{' (saknar filen rubrikrad? lägg till en överst)' if any(map(looks_like_free_text, frame.columns)) else ''}"
        )
    return Columns(
        text=text_col,
        id=_find(frame, id, ID_NAMES, "id", path),
        round=_find(frame, round, ROUND_NAMES, "round", path),
        group=_find(frame, group, GROUP_NAMES, "group", path),
        index=_find(frame, index, INDEX_NAMES, "index", path),
    )


def read_comments(
    path: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    round_column: str | None = None,
    group_column: str | None = None,
    index_column: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Read a survey export and resolve which columns hold text, id, round, group and index."""
    p = Path(path)
    frame = read_frame(p, sheet=sheet)
    columns = resolve_columns(frame, p, text_column, id_column, round_column, group_column, index_column)
    return Table(frame=frame, columns=columns, path=p)


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    if not (isinstance(value, str) and value):
        return value
    if value.startswith(_FORMULA_START) or (
        value[0] == "-" and len(value) > 1 and not value[1].isspace() and not value[1].isalpha()
    ):
        return "'" + value
    return value


def check_output_path(path: str | Path, extensions: tuple[str, ...] = WRITE_EXTENSIONS) -> Path:
    """Fail before any work when the output cannot be written (unknown type, missing folder)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in extensions:
        raise InputError(
            f"{p.name}: kan inte skriva {suffix or '(ingen ändelse)'}; använd någon av {', '.join(extensions)}"
        )
    if p.parent and not p.parent.exists():
        raise InputError(f"{p}: mappen {p.parent} finns inte; skapa den eller välj en annan utfil")
    if p.is_dir():
        raise InputError(f"{p}: är en mapp; ange ett filnamn för utfilen")
    return p


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write by extension (.csv ';'-separated UTF-8 with BOM, .xlsx, .jsonl, .parquet), atomically."""
    p = check_output_path(path)
    with atomic_output(p) as tmp:
        _write(frame, tmp, p.suffix.lower())
    return p


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write text (UTF-8) via a temporary file and a rename: never a half-written file."""
    p = Path(path)
    with atomic_output(p) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return p


def _write(frame: pd.DataFrame, tmp: Path, suffix: str) -> None:
    from stamning.io.spreadsheet import csv_value, write_frames_xlsx

    if suffix == ".csv":  # for Swedish Excel: decimal comma, sant/falskt, formulas neutralised
        frame.map(csv_value).to_csv(tmp, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    elif suffix == ".xlsx":  # one Excel table; cells Excel cannot hold made safe
        write_frames_xlsx([frame], tmp)
    elif suffix == ".jsonl":
        frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(tmp, index=False)
