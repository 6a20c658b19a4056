"""Labelled data for training and evaluation: a text, a sentiment level and theme keys per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stamning.errors import InputError
from stamning.io.tables import column_list, read_frame, resolve_columns, short_name
from stamning.records import SENTIMENT_LEVELS
from stamning.text import normalize, skip_reason
from stamning.themes.taxonomy import parse_themes

_LEVEL_ALIASES = {
    **{lvl: lvl for lvl in SENTIMENT_LEVELS},
    **{lvl.replace("_", " "): lvl for lvl in SENTIMENT_LEVELS},
    "-2": "mycket_negativ",
    "-1": "negativ",
    "0": "neutral",
    "1": "positiv",
    "2": "mycket_positiv",
    "+1": "positiv",
    "+2": "mycket_positiv",
}
# three-level labels (e.g. real-world sets): only for evaluation on a 3-class scale
THREE_CLASS = {"neg": ("mycket_negativ", "negativ"), "neu": ("neutral",), "pos": ("positiv", "mycket_positiv")}


@dataclass
class LabelledData:
    texts: list[str]
    sentiment: np.ndarray  # int index into SENTIMENT_LEVELS, -1 where unlabelled
    themes: np.ndarray | None  # [n, n_themes] 0/1, None when the data has no theme column
    theme_keys: list[str]
    ids: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, reason) of rows left out: no text to learn from

    def left_out(self) -> list[dict]:
        """The rows left out, as JSON-ready records."""
        return [{"id": i, "reason": r} for i, r in self.skipped]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray | list[int]) -> LabelledData:
        index = np.asarray(index, dtype=int)
        return LabelledData(
            [self.texts[i] for i in index],
            self.sentiment[index],
            None if self.themes is None else self.themes[index],
            self.theme_keys,
            [self.ids[i] for i in index],
        )


def _read_any(path: Path) -> pd.DataFrame:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".jsonl", ".csv", ".parquet", ".xlsx"))
        if not files:
            raise InputError(
                f"{path}: inga .jsonl/.csv/.parquet/.xlsx-filer i mappen; lägg märkt data där eller ange en fil"
            )
        return pd.concat([read_frame(p) for p in files], ignore_index=True)
    return read_frame(path)


def load_labelled(
    path: str | Path,
    theme_keys: list[str] | None = None,
    text_column: str | None = None,
    sentiment_column: str = "sentiment",
    themes_column: str = "themes",
) -> LabelledData:
    """Read labelled comments (a file or a folder of files). Unknown labels are an error, not a skip."""
    p = Path(path)
    frame = _read_any(p)
    cols = resolve_columns(frame, p, text=text_column)
    if sentiment_column not in frame.columns:
        raise InputError(
            f"{p.name}: ingen kolumn {sentiment_column!r} med sentimentetiketter; kolumner i filen: {column_list(frame.columns)}; lägg till den"
        )
    reasons = [skip_reason(t) for t in frame[cols.text].tolist()]
    all_ids = [str(v) for v in frame[cols.id].tolist()] if cols.id else [str(i + 1) for i in range(len(frame))]
    skipped = [(all_ids[i], r) for i, r in enumerate(reasons) if r is not None]
    keep = [i for i, r in enumerate(reasons) if r is None]
    frame = frame.iloc[keep].reset_index(drop=True)
    levels = []
    for n, raw in enumerate(frame[sentiment_column].tolist(), 1):
        key = str(raw).strip().lower()
        if key in ("", "nan", "none"):
            levels.append(-1)
            continue
        if key not in _LEVEL_ALIASES:
            raise InputError(
                f"{p.name}: rad {n}: sentiment {short_name(raw)} är inte en av {', '.join(SENTIMENT_LEVELS)}; rätta etiketten"
            )
        levels.append(SENTIMENT_LEVELS.index(_LEVEL_ALIASES[key]))
    themes = None
    keys = list(theme_keys or [])
    if themes_column in frame.columns:
        lists = [parse_themes(v) for v in frame[themes_column].tolist()]
        found = sorted({k for lst in lists for k in lst})
        if not keys:
            keys = found
        unknown = sorted(set(found) - set(keys))
        if unknown:
            raise InputError(
                f"{p.name}: okända temanycklar {', '.join(short_name(u) for u in unknown)}; lägg till dem i taxonomin eller rätta etiketterna"
            )
        themes = np.zeros((len(lists), len(keys)), dtype=np.float32)
        for i, lst in enumerate(lists):
            for k in lst:
                themes[i, keys.index(k)] = 1.0
    ids = [all_ids[i] for i in keep]
    return LabelledData(
        [normalize(str(t)) for t in frame[cols.text].tolist()], np.array(levels, dtype=int), themes, keys, ids, skipped
    )
