"""``stamning summarize`` and ``stamning compare``: survey summaries per round and group, and round comparisons."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, cast

import typer

from stamning.cli.console import announce_setup, out, progress_bar, say
from stamning.cli.options import (
    BatchOpt,
    DeviceOpt,
    FormatOpt,
    GroupCol,
    IdCol,
    IndexCol,
    MinGroup,
    MinQuote,
    ModelOpt,
    NamesOpt,
    NoRedact,
    OptInputArg,
    OutOpt,
    QuestionOpt,
    RoundCol,
    SheetOpt,
    StoreModelOpt,
    StoreOpt,
    TextCol,
    ThemeExamplesOpt,
    ThemesOpt,
    WideOpt,
    read_names,
)
from stamning.errors import StamningError
from stamning.options import BATCH_SIZE, By, Device, allowed, parse_by, split_list


def _by_callback(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None  # the default: per round where the file has a round column
    try:
        return parse_by(value)
    except StamningError as exc:
        raise typer.BadParameter(str(exc)) from None


def _emit(render_fn, result, fmt: str, output: Path | None, what: str) -> None:
    """Render a summary or a comparison: to standard output, or to ``output`` with a line saying so."""
    from stamning.io.spreadsheet import CellFixes

    cells = CellFixes()
    text = render_fn(result, fmt, output, out, cells)
    if text is not None:
        sys.stdout.write(text)
    elif output is not None:
        out.print(f"Skrev {what} till {output}." + (f" {cells.note()}." if cells.note() else ""))


def _input_or_store(input: Path | None, store: Path | None, *store_only: str) -> None:
    if (input is None) == (store is None):
        raise StamningError("ange antingen en indatafil eller --store resultat.sqlite (inte båda, inte ingen)")
    if store is None and store_only:
        raise StamningError(f"{', '.join(store_only)} gäller resultatlagret; ange också --store resultat.sqlite")


def summarize(
    input: OptInputArg = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            callback=_by_callback,
            show_default=False,
            help=f"Dela upp per {allowed(By)} eller round,group ('' = alla svar tillsammans). [standard: round; utan omgångskolumn alla svar som en omgång]",
        ),
    ] = None,
    format: FormatOpt = None,
    output: OutOpt = None,
    min_group: MinGroup = 5,
    min_quote_group: MinQuote = 10,
    names: NamesOpt = None,
    no_redact: NoRedact = False,
    model: ModelOpt = None,
    text_column: TextCol = None,
    id_column: IdCol = None,
    round_column: RoundCol = None,
    group_column: GroupCol = None,
    index_column: IndexCol = None,
    sheet: SheetOpt = None,
    batch_size: BatchOpt = BATCH_SIZE,
    device: DeviceOpt = Device.CPU,
    store: StoreOpt = None,
    rounds: Annotated[
        list[str] | None,
        typer.Option("--rounds", help="Med --store: omgångar att ta med, i ordning (upprepa). Annars alla."),
    ] = None,
    store_model: StoreModelOpt = None,
    themes: ThemesOpt = None,
    theme_examples: ThemeExamplesOpt = None,
    wide: WideOpt = False,
    question: QuestionOpt = None,
) -> None:
    """Sammanfatta per enkätomgång (och grupp): fördelning, netto med osäkerhet, avvikande och viktiga kommentarer, teman."""
    from stamning.engines.survey import SurveyOptions, output_format, render, summarize_file

    fmt = output_format(format, output)
    _input_or_store(input, store, *(["--rounds"] if rounds else []), *(["--store-model"] if store_model else []))
    if output is not None and input is not None:
        from stamning.io.outputs import refuse_overwriting_input

        refuse_overwriting_input(input, output)
    options = SurveyOptions(
        by=("round",) if by is None else cast(tuple[str, ...], by),  # _by_callback has parsed it
        round_optional=by is None,
        min_group=min_group,
        min_quote_group=min_quote_group,
        redact=not no_redact,
        names=read_names(names),
        model=model,
        text_column=text_column,
        id_column=id_column,
        round_column=round_column,
        group_column=group_column,
        index_column=index_column,
        sheet=sheet,
        batch_size=batch_size,
        device=str(device),
        themes=themes,
        theme_examples=theme_examples,
        wide=wide,
        questions=tuple(question or ()),
    )
    if store is not None:
        from stamning.store.select import summarize_store

        summary = summarize_store(store, options, split_list(rounds) or None, store_model)
    else:
        assert input is not None  # _input_or_store: a file or a store, never neither
        announce_setup()
        bar, progress = progress_bar("Läser och klassificerar")
        if bar:
            bar.start()
        try:
            summary = summarize_file(input, options, progress)
        finally:
            if bar:
                bar.stop()
    say("Sammanfattningen är klar; skriver rapporten …" if output else "Sammanfattningen är klar.")
    _emit(render, summary, fmt, output, "rapporten")


def compare(
    input: OptInputArg = None,
    rounds: Annotated[
        list[str] | None,
        typer.Option(
            "--rounds", help="Omgångar att jämföra, i ordning (--rounds 2025,2026 eller upprepat). Annars alla i följd."
        ),
    ] = None,
    format: FormatOpt = None,
    output: OutOpt = None,
    min_group: MinGroup = 5,
    model: ModelOpt = None,
    text_column: TextCol = None,
    id_column: IdCol = None,
    round_column: RoundCol = None,
    sheet: SheetOpt = None,
    store: StoreOpt = None,
    store_model: StoreModelOpt = None,
) -> None:
    """Jämför omgångar: förändring i andelar och netto, med intervall och test; säger när data inte räcker."""
    from stamning.engines.survey import SurveyOptions, compare_file, output_format, render_comparison

    fmt = output_format(format, output)
    _input_or_store(input, store, *(["--store-model"] if store_model else []))
    if output is not None and input is not None:
        from stamning.io.outputs import refuse_overwriting_input

        refuse_overwriting_input(input, output)
    if store is not None:
        from stamning.store.select import compare_store

        result = compare_store(store, split_list(rounds) or None, min_group, store_model)
    else:
        assert input is not None  # _input_or_store: a file or a store, never neither
        options = SurveyOptions(
            min_group=min_group,
            min_quote_group=max(10, min_group),
            model=model,
            text_column=text_column,
            id_column=id_column,
            round_column=round_column,
            sheet=sheet,
        )
        result = compare_file(input, split_list(rounds) or None, options)
    _emit(render_comparison, result, fmt, output, "jämförelsen")
