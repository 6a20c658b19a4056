"""Check and normalise a classified table before it is summarised.

Used by :mod:`stamning.summary.rounds` and :mod:`stamning.summary.compare`. Error messages name columns,
row counts and ids, never a comment's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stamning.errors import ColumnError, InputError
from stamning.records import OUTPUT_COLUMNS, SENTIMENT_LEVELS, STATUS_OK, STATUS_SKIPPED

if TYPE_CHECKING:
    from stamning.io.tables import Table

REQUIRED = ("id", "sentiment", "sentiment_score", "sentiment_confidence", "themes", "status")
ALL_ROUNDS = "(alla)"
MISSING_LABEL = "(saknas)"
POSITIVE = ("positiv", "mycket_positiv")
NEGATIVE = ("negativ", "mycket_negativ")
_TRUE = {"true", "1", "yes", "ja", "sant", "t", "y"}


def label(value: object) -> str:
    """A round or group label as text (2024.0 read from Excel -> '2024'; blank -> '(saknas)')."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return MISSING_LABEL
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or MISSING_LABEL


def as_bool(value: object) -> bool:
    """A cell read as a boolean: missing and NaN are False; "sant"/"true"/"1" and the like are True."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(value)
    return str(value).strip().lower() in _TRUE


def _themes(value: object) -> tuple[str, ...]:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ()
    return tuple(k for k in (part.strip() for part in str(value).split(";")) if k)


def to_numbers(values) -> np.ndarray:
    """Numbers as floats (NaN where none); text with a decimal comma (Swedish Excel, our CSV) counts too."""
    series = pd.Series(values)
    if not pd.api.types.is_numeric_dtype(series.dtype):  # object or pandas' string dtype
        series = series.map(lambda v: v.strip().replace("\u2212", "-").replace(",", ".") if isinstance(v, str) else v)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def natural_key(label: str) -> list:
    """Sort key that puts "Omgång 2" before "Omgång 10" (digit runs compare as numbers)."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", label) if part
    ]


def round_order(df: pd.DataFrame, prepared: pd.DataFrame) -> list[str]:
    """Round labels in order: an ordered categorical ``round`` column keeps its order,
    otherwise labels are sorted naturally (``2024`` < ``2025``, ``v9`` < ``v10``)."""
    present = list(dict.fromkeys(prepared["round"]))
    if "round" in df.columns and isinstance(df["round"].dtype, pd.CategoricalDtype) and df["round"].cat.ordered:
        order = [label(c) for c in df["round"].cat.categories]
        return [r for r in order if r in present] + [r for r in present if r not in order]
    return sorted(present, key=natural_key)


def prepare(df: pd.DataFrame, *, need_group: bool = False) -> pd.DataFrame:
    """A normalised copy: string ids, labels, tuple themes, bool flags, numeric scores."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"väntade en pandas DataFrame med klassade kommentarer, fick {type(df).__name__}")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ColumnError(
            f"tabellen saknar kolumnerna {', '.join(missing)}; väntade klassningens utkolumner "
            f"({', '.join(REQUIRED)}); kör `stamning classify` först eller byt namn på kolumnerna"
        )
    if need_group and "group" not in df.columns:
        raise ColumnError(
            "sammanfattning per grupp begärdes, men tabellen har ingen kolumn 'group'; "
            "lägg till en eller ta bort 'group' ur `by`"
        )
    out = pd.DataFrame(index=range(len(df)))
    out["id"] = [label(v) for v in df["id"]]
    out["text"] = ["" if label(v) == MISSING_LABEL else str(v) for v in df["text"]] if "text" in df.columns else ""
    out["round"] = [label(v) for v in df["round"]] if "round" in df.columns else ALL_ROUNDS
    out["group"] = [label(v) for v in df["group"]] if "group" in df.columns else MISSING_LABEL
    status = [str(s).strip().lower() if label(s) != MISSING_LABEL else "" for s in df["status"]]
    bad_status = sorted({s for s in status if s not in (STATUS_OK, STATUS_SKIPPED)})
    if bad_status:
        raise InputError(f"kolumnen 'status' har värdena {bad_status}; väntade 'ok' eller 'skipped' – rätta kolumnen")
    out["status"] = status
    out["ok"] = out["status"] == STATUS_OK
    out["sentiment"] = [str(s).strip() if ok else "" for s, ok in zip(df["sentiment"], out["ok"])]
    bad = out.loc[out["ok"] & ~out["sentiment"].isin(SENTIMENT_LEVELS), "id"].tolist()
    if bad:
        raise InputError(
            f"{len(bad)} rader har status 'ok' men inget giltigt sentiment (id: {', '.join(bad[:5])}); "
            f"väntade något av {', '.join(SENTIMENT_LEVELS)} – rätta kolumnen sentiment"
        )
    out["score"] = to_numbers(df["sentiment_score"])
    out["confidence"] = to_numbers(df["sentiment_confidence"])
    no_score = out.loc[out["ok"] & out["score"].isna(), "id"].tolist()
    if no_score:
        raise InputError(
            f"{len(no_score)} klassade rader saknar ett numeriskt sentiment_score "
            f"(id: {', '.join(no_score[:5])}); väntade ett tal mellan -2 och 2 – klassa filen igen"
        )
    out["themes"] = [_themes(v) if ok else () for v, ok in zip(df["themes"], out["ok"])]
    out["mixed"] = [as_bool(v) and ok for v, ok in zip(df["mixed"], out["ok"])] if "mixed" in df.columns else False
    if "index" in df.columns:
        idx = to_numbers(df["index"])
        not_numeric = int((pd.notna(df["index"]).to_numpy() & np.isnan(idx)).sum())
        outside = int(((idx < 0) | (idx > 100)).sum())
        if not_numeric or outside:
            raise InputError(
                f"kolumnen 'index' har {not_numeric} icke-numeriska och {outside} värden utanför gränserna; "
                "väntade tal mellan 0 och 100 (tomma celler går bra) – rätta kolumnen"
            )
        out["index"] = idx
    else:
        out["index"] = np.nan
    return out


def group_order(labels: Iterable[str]) -> list[str]:
    return sorted(set(labels), key=natural_key)


def is_predictions(frame: pd.DataFrame) -> bool:
    """True when ``frame`` carries classify's output columns (a predictions file, not an export)."""
    return {"sentiment", "status", "sentiment_score", "themes"} <= set(frame.columns)


def summary_frame(table: Table, predictions: pd.DataFrame | None = None) -> pd.DataFrame:
    """id, text, round, group, index + the output contract, one row per input row."""
    cols, src = table.columns, table.frame
    frame = pd.DataFrame({"id": table.ids(), "text": src[cols.text].tolist()})
    for role in ("round", "group", "index"):
        name = getattr(cols, role)
        if name is not None:
            frame[role] = src[name].tolist()
    if "index" in frame.columns:
        frame["index"] = to_numbers(frame["index"])
    if cols.round is not None:
        frame.attrs["round_column"] = cols.round  # named in errors, e.g. when compare finds one round
    contract = predictions if predictions is not None else src
    for col in OUTPUT_COLUMNS:
        frame[col] = contract[col].tolist() if col in contract.columns else None
    return frame
