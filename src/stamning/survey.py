"""The summarize and compare verbs on files: read an export (or a predictions file), classify it when
needed, and hand a tidy table to :mod:`stamning.summarize`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from .errors import ConfigError
from .io import Table, check_output_path, read_comments
from .records import OUTPUT_COLUMNS

FORMATS = ("terminal", "md", "html", "json", "xlsx")
_SUFFIX_FORMAT = {".md": "md", ".html": "html", ".htm": "html", ".json": "json", ".xlsx": "xlsx"}


@dataclass
class SurveyOptions:
    """How a survey file is read and summarised; validated up front."""

    by: tuple[str, ...] = ("round",)
    min_group: int = 5
    min_quote_group: int = 10
    redact: bool = True
    names: tuple[str, ...] = ()
    model: str | Path | None = None
    text_column: str | None = None
    id_column: str | None = None
    round_column: str | None = None
    group_column: str | None = None
    index_column: str | None = None
    sheet: str | None = None
    batch_size: int = 32
    device: str = "cpu"

    def __post_init__(self) -> None:
        bad = [b for b in self.by if b not in ("round", "group")]
        if bad:
            raise ConfigError(f"--by {','.join(bad)}: okänt värde; tillåtna värden: round, group")
        if self.min_group < 1:
            raise ConfigError(f"--min-group {self.min_group}: måste vara minst 1")
        if self.min_quote_group < self.min_group:
            raise ConfigError(f"--min-quote-group ({self.min_quote_group}) måste vara minst lika stor som --min-group ({self.min_group}); höj den")


def is_predictions(frame: pd.DataFrame) -> bool:
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
        frame["index"] = pd.to_numeric(frame["index"], errors="coerce")
    contract = predictions if predictions is not None else src
    for col in OUTPUT_COLUMNS:
        frame[col] = contract[col].tolist() if col in contract.columns else None
    return frame


def load_survey(input: str | Path, options: SurveyOptions, progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Read a survey export; classify it unless it already holds stamning's output columns."""
    table = read_comments(input, text_column=options.text_column, id_column=options.id_column,
                          round_column=options.round_column, group_column=options.group_column,
                          index_column=options.index_column, sheet=options.sheet)
    if "round" in options.by and table.columns.round is None:
        raise ConfigError(f"{Path(input).name}: hittade ingen omgångskolumn (letade efter Omgång, År, round …); "
                          "ange den med --round-column, eller sammanfatta alla svar tillsammans med --by group eller --by ''")
    if "group" in options.by and table.columns.group is None:
        raise ConfigError(f"{Path(input).name}: hittade ingen gruppkolumn (letade efter Grupp, Enhet …); ange den med --group-column")
    if is_predictions(table.frame):
        return summary_frame(table)
    from .pipeline import classify_table, load_model, predictions_frame

    model = load_model(options.model, device=options.device)
    preds = classify_table(model, table, batch_size=options.batch_size, progress=progress)
    return summary_frame(table, predictions_frame(table, preds))


def redactor(options: SurveyOptions):
    if not options.redact:
        return None
    from .redact import Redactor

    return Redactor(names=options.names)


def summarize_file(input: str | Path, options: SurveyOptions | None = None, progress=None):
    """A :class:`~stamning.summary_types.Summary` of a survey file, per round (and group)."""
    from .summarize import summarize

    options = options or SurveyOptions()
    frame = load_survey(input, options, progress)
    return summarize(frame, by=options.by, min_group=options.min_group, min_quote_group=options.min_quote_group,
                     redactor=redactor(options), include_comparison="round" in options.by)


def compare_file(input: str | Path, rounds: Sequence[str] | None = None, options: SurveyOptions | None = None, progress=None):
    """Changes between rounds (consecutive, or the ones asked for in that order)."""
    from .summarize import compare

    options = options or SurveyOptions()
    frame = load_survey(input, options, progress)
    return compare(frame, list(rounds) if rounds else None, min_group=options.min_group)


def output_format(fmt: str | None, output: Path | None) -> str:
    fmt = None if fmt is None else str(fmt)
    if fmt is None:
        fmt = _SUFFIX_FORMAT.get(output.suffix.lower(), "md") if output else "terminal"
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt}: okänt värde; tillåtna värden: {', '.join(FORMATS)}")
    if fmt == "xlsx" and output is None:
        raise ConfigError("--format xlsx behöver en utfil: lägg till -o rapport.xlsx")
    if output is not None:
        check_output_path(output, tuple(_SUFFIX_FORMAT) + (".txt",))
    return fmt


def render(summary, fmt: str, output: Path | None, console=None) -> str | None:
    """Write the summary in ``fmt`` to ``output`` (atomically) or return/print it."""
    from . import report
    from .io import atomic_write_text

    if fmt == "terminal":
        report.to_terminal(summary, console)
        return None
    if fmt == "xlsx":
        report.to_xlsx(summary, output)
        return None
    text = {"md": report.to_markdown, "html": report.to_html, "json": report.to_json}[fmt](summary)
    if output is None:
        return text
    atomic_write_text(output, text)
    return None
