"""The summarize and compare verbs on files: read an export (or a predictions file), classify it when needed
(:mod:`stamning.engines.local`), summarise it (:mod:`stamning.summary.rounds`) with quotes redacted
(:mod:`stamning.privacy`), and render the result (:mod:`stamning.report.render`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stamning.errors import ConfigError
from stamning.io.lost_marks import lost_marks_note, note_lost_marks
from stamning.io.tables import Table, check_output_path, read_comments
from stamning.options import BATCH_SIZE
from stamning.summary.prepare import is_predictions, summary_frame

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
    batch_size: int = BATCH_SIZE
    device: str = "cpu"
    themes: str | Path | None = None  # the user's own taxonomy (stamning.themes.own)
    theme_examples: str | Path | None = None
    wide: bool = False  # one column per question (stamning.io.wide)
    questions: tuple[str, ...] = ()
    round_optional: bool = False  # no round column found: summarise all answers as one round (the CLI's default)

    def __post_init__(self) -> None:
        bad = [b for b in self.by if b not in ("round", "group")]
        if bad:
            raise ConfigError(f"--by {','.join(bad)}: okänt värde; tillåtna värden: round, group")
        if self.min_group < 1:
            raise ConfigError(f"--min-group {self.min_group}: måste vara minst 1")
        if self.min_quote_group < self.min_group:
            raise ConfigError(
                f"--min-quote-group ({self.min_quote_group}) måste vara minst lika stor som --min-group ({self.min_group}); höj den"
            )


def load_survey(
    input: str | Path,
    options: SurveyOptions,
    progress: Callable[[int, int], None] | None = None,
    model=None,
    check: Callable[[Table], None] | None = None,
) -> pd.DataFrame:
    """Read a survey export; classify it (with ``model`` when given) unless it already holds stamning's output
    columns. ``check`` sees the table before the (slow) classification and may refuse it."""
    reader: Callable[..., Table] = read_comments
    if options.wide or options.questions:
        from functools import partial

        from stamning.io.wide import read_wide as reader

        reader = partial(reader, questions=options.questions)
    table = reader(
        input,
        text_column=options.text_column,
        id_column=options.id_column,
        round_column=options.round_column,
        group_column=options.group_column,
        index_column=options.index_column,
        sheet=options.sheet,
    )
    no_round = "round" in options.by and table.columns.round is None
    if no_round and not options.round_optional:
        raise ConfigError(
            f"{Path(input).name}: hittade ingen omgångskolumn (letade efter Omgång, År, round …); "
            "ange den med --round-column, eller sammanfatta alla svar tillsammans med --by group eller --by ''"
        )
    if "group" in options.by and table.columns.group is None:
        raise ConfigError(
            f"{Path(input).name}: hittade ingen gruppkolumn (letade efter Grupp, Enhet …); ange den med --group-column"
        )
    if check is not None:
        check(table)
    frame = _classified(table, options, progress, model)
    frame.attrs["no_round"] = no_round
    return frame


def _classified(table: Table, options: SurveyOptions, progress, model) -> pd.DataFrame:
    """Classify the table (unless it already holds stamning's output columns) into a summary frame."""
    input = table.path
    if is_predictions(table.frame):
        if options.themes is not None:
            raise ConfigError(
                f"{Path(input).name} är redan klassad; egna teman (--themes) sätts när filen klassas: "
                "ge den oklassade filen, eller kör stamning classify --themes först"
            )
        frame = summary_frame(table)
        frame.attrs["model"] = None  # classified before: the file does not say by which model
        return frame
    from stamning.engines.local import classify_table, predictions_frame
    from stamning.themes.own import load_model_with_themes

    model = (
        model
        if model is not None
        else load_model_with_themes(options.model, options.device, options.themes, options.theme_examples)
    )
    preds = classify_table(model, table, batch_size=options.batch_size, progress=progress)
    frame = summary_frame(table, predictions_frame(table, preds))
    frame.attrs["model"] = model_label(options.model, model)
    frame.attrs["lost_marks"] = table.lost_marks()  # read without a Windows-1252 export's lost "?"
    return frame


def model_label(name: str | Path | None, model) -> str:
    """How a report names the model: its folder (or the built-in default) and a short weights checksum."""
    import hashlib
    import json

    label = "standardmodellen" if name in (None, "default") else Path(name).name
    digest = hashlib.sha256(json.dumps(model.config.weights_sha256, sort_keys=True).encode()).hexdigest()[:12]
    return f"{label} (vikter {digest})"


def redactor(options: SurveyOptions):
    if not options.redact:
        return None
    from stamning.privacy.redactor import Redactor

    return Redactor(names=options.names)


def summarize_file(input: str | Path, options: SurveyOptions | None = None, progress=None):
    """A :class:`~stamning.summary.types.Summary` of a survey file, per round (and group)."""
    from stamning.summary.rounds import summarize

    options = options or SurveyOptions()
    if options.wide or options.questions:
        from stamning.io.wide import wide_options

        options = wide_options(options)
    own = None
    if options.themes is not None:
        from stamning.themes.own import load_model_with_themes

        own = load_model_with_themes(options.model, options.device, options.themes, options.theme_examples)
    frame = load_survey(input, options, progress, model=own)
    by = tuple(b for b in options.by if b != "round") if frame.attrs.get("no_round") else options.by
    summary = summarize(
        frame,
        by=by,
        min_group=options.min_group,
        min_quote_group=options.min_quote_group,
        redactor=redactor(options),
        include_comparison="round" in by,
        taxonomy=own.taxonomy if own is not None else None,
        source=_source(input, frame),
    )
    if frame.attrs.get("no_round"):
        summary.notes.append(
            "Filen har ingen omgångskolumn (letade efter Omgång, År, round …): alla svar sammanfattas "
            "som en omgång. Ange kolumnen med --round-column om filen har flera omgångar."
        )
    if own is not None:
        summary.notes.append(own.note())
    if frame.attrs.get("lost_marks"):
        summary.notes.append(f"{lost_marks_note(frame.attrs['lost_marks'], Path(input).name)}.")
    return summary


def compare_file(
    input: str | Path, rounds: Sequence[str] | None = None, options: SurveyOptions | None = None, progress=None
):
    """Changes between rounds (consecutive, or the ones asked for in that order)."""
    from stamning.summary.rounds import compare

    options = options or SurveyOptions()
    frame = load_survey(input, options, progress, check=_two_rounds)
    result = compare(frame, list(rounds) if rounds else None, min_group=options.min_group)
    result.settings["source"] = _source(input, frame)
    note_lost_marks(frame.attrs.get("lost_marks", 0), Path(input).name)
    return result


def _two_rounds(table: Table) -> None:
    """Refuse a file with fewer than two rounds before classifying it (a comparison needs two)."""
    from stamning.summary.compare import too_few_rounds
    from stamning.summary.prepare import MISSING_LABEL, group_order, label

    found = [r for r in group_order(label(v) for v in table.frame[table.columns.round]) if r != MISSING_LABEL]
    if len(found) < 2:
        raise ConfigError(too_few_rounds(found, found, table.columns.round))


def _source(input: str | Path, frame: pd.DataFrame) -> dict:
    from datetime import date

    from stamning import __version__

    return {
        "file": Path(input).name,
        "rows": len(frame),
        "date": str(date.today()),
        "model": frame.attrs.get("model"),
        "stamning_version": __version__,
        "classification": "automatisk",
    }


def comparison_report(result):
    """A :class:`~stamning.summary.types.Summary` holding only comparisons, for the report renderers."""
    from stamning.summary.types import Summary

    return Summary(dict(result.settings), [], list(result.changes))


def render_comparison(result, fmt: str, output: Path | None, console=None, fixes=None) -> str | None:
    """Like :func:`render`, for a comparison; JSON follows the schema of :mod:`stamning.summary.compare`."""
    if fmt != "json":
        return render(comparison_report(result), fmt, output, console, fixes)
    from stamning.io.tables import atomic_write_text
    from stamning.report.render import to_json_comparison

    text = to_json_comparison(result)
    if output is None:
        return text
    atomic_write_text(output, text)
    return None


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


def render(summary, fmt: str, output: Path | None, console=None, fixes=None) -> str | None:
    """Write the summary in ``fmt`` to ``output`` (atomically) or return/print it. ``fixes``
    (:class:`~stamning.io.spreadsheet.CellFixes`) counts the cells an .xlsx could not hold as they were."""
    from stamning.io.tables import atomic_write_text
    from stamning.report import render as report

    if fmt == "terminal":
        report.to_terminal(summary, console)
        return None
    if fmt == "xlsx":
        assert output is not None  # output_format refuses xlsx without an output file
        report.to_xlsx(summary, output, fixes)
        return None
    text = {"md": report.to_markdown, "html": report.to_html, "json": report.to_json}[fmt](summary)
    if output is None:
        return text
    atomic_write_text(output, text)
    return None
