"""Check and normalise a classified table before it is summarised.

Used by :mod:`stamning.summarize` and :mod:`stamning.compare`. Error messages name columns,
row counts and ids, never a comment's text.
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from .errors import ColumnError, InputError
from .records import SENTIMENT_LEVELS, STATUS_OK, STATUS_SKIPPED

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


def _bool(value: object) -> bool:
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


def _natural_key(label: str) -> list:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", label) if part]


def round_order(df: pd.DataFrame, prepared: pd.DataFrame) -> list[str]:
    """Round labels in order: an ordered categorical ``round`` column keeps its order,
    otherwise labels are sorted naturally (``2024`` < ``2025``, ``v9`` < ``v10``)."""
    present = list(dict.fromkeys(prepared["round"]))
    if "round" in df.columns and isinstance(df["round"].dtype, pd.CategoricalDtype) and df["round"].cat.ordered:
        order = [label(c) for c in df["round"].cat.categories]
        return [r for r in order if r in present] + [r for r in present if r not in order]
    return sorted(present, key=_natural_key)


def prepare(df: pd.DataFrame, *, need_group: bool = False) -> pd.DataFrame:
    """A normalised copy: string ids, labels, tuple themes, bool flags, numeric scores."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame of classified comments, got {type(df).__name__}")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ColumnError(
            f"the table lacks column(s) {', '.join(missing)}; expected the classifier's output columns "
            f"({', '.join(REQUIRED)}); run `stamning classify` first or rename the columns"
        )
    if need_group and "group" not in df.columns:
        raise ColumnError("summary by group asked for, but the table has no 'group' column; "
                          "add one or leave 'group' out of `by`")
    out = pd.DataFrame(index=range(len(df)))
    out["id"] = [label(v) for v in df["id"]]
    out["text"] = ["" if label(v) == MISSING_LABEL else str(v) for v in df["text"]] if "text" in df.columns else ""
    out["round"] = [label(v) for v in df["round"]] if "round" in df.columns else ALL_ROUNDS
    out["group"] = [label(v) for v in df["group"]] if "group" in df.columns else MISSING_LABEL
    status = [str(s).strip().lower() if label(s) != MISSING_LABEL else "" for s in df["status"]]
    bad_status = sorted({s for s in status if s not in (STATUS_OK, STATUS_SKIPPED)})
    if bad_status:
        raise InputError(f"column 'status' has value(s) {bad_status}; expected 'ok' or 'skipped'")
    out["status"] = status
    out["ok"] = out["status"] == STATUS_OK
    out["sentiment"] = [str(s).strip() if ok else "" for s, ok in zip(df["sentiment"], out["ok"])]
    bad = out.loc[out["ok"] & ~out["sentiment"].isin(SENTIMENT_LEVELS), "id"].tolist()
    if bad:
        raise InputError(
            f"{len(bad)} row(s) have status 'ok' but no valid sentiment (ids: {', '.join(bad[:5])}); "
            f"expected one of {', '.join(SENTIMENT_LEVELS)}"
        )
    out["score"] = to_numbers(df["sentiment_score"])
    out["confidence"] = to_numbers(df["sentiment_confidence"])
    no_score = out.loc[out["ok"] & out["score"].isna(), "id"].tolist()
    if no_score:
        raise InputError(f"{len(no_score)} classified row(s) lack a numeric sentiment_score "
                         f"(ids: {', '.join(no_score[:5])}); expected a number in -2..2")
    out["themes"] = [_themes(v) if ok else () for v, ok in zip(df["themes"], out["ok"])]
    out["mixed"] = [_bool(v) and ok for v, ok in zip(df["mixed"], out["ok"])] if "mixed" in df.columns else False
    if "index" in df.columns:
        idx = to_numbers(df["index"])
        not_numeric = int((pd.notna(df["index"]).to_numpy() & np.isnan(idx)).sum())
        outside = int(((idx < 0) | (idx > 100)).sum())
        if not_numeric or outside:
            raise InputError(f"column 'index' has {not_numeric} non-numeric and {outside} out-of-range value(s); "
                             "expected numbers 0-100 (blank cells are fine)")
        out["index"] = idx
    else:
        out["index"] = np.nan
    return out


def group_order(labels: Iterable[str]) -> list[str]:
    return sorted(set(labels), key=_natural_key)
