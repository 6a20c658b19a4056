"""``stamning classify``: every comment classified, on the local engine or on Ray."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from stamning.cli.console import announce_setup, out, progress_bar, state
from stamning.cli.options import (
    BatchOpt,
    DeviceOpt,
    GroupCol,
    IdCol,
    InputArg,
    ModelOpt,
    QuestionOpt,
    RoundCol,
    SheetOpt,
    StoreOpt,
    TextCol,
    ThemeExamplesOpt,
    ThemesOpt,
    WideOpt,
)
from stamning.engines.extras import ClassifyExtras
from stamning.errors import StamningError
from stamning.options import BATCH_SIZE, ClassifyOptions, Device, Engine, Precision


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
    batch_size: BatchOpt = BATCH_SIZE,
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
    extras = ClassifyExtras(store, round_label, themes, theme_examples, wide, tuple(question or ()))
    if engine is Engine.RAY:
        from stamning.engines.ray_plan import refuse_local_only

        if extras.needed:
            raise StamningError("--store, --round, --themes och --wide fungerar bara med --engine local")
        refuse_local_only(sheet=sheet, device=device, clean=clean, in_place=in_place)
        device = Device.CUDA if num_gpus_per_actor else Device.CPU  # Ray: the actors' GPUs decide
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
        ray = {
            "address": address,
            "concurrency": concurrency,
            "num_cpus_per_actor": num_cpus_per_actor,
            "num_gpus_per_actor": num_gpus_per_actor,
        }
        _classify_ray(input, output, options, model, chunk_rows or 1024, ray)
    else:
        _classify_local(input, output, options, model, in_place, extras)


def _classify_ray(input: Path, output: Path, options: ClassifyOptions, model: str | None, rows: int, ray: dict) -> None:
    from stamning.engines.ray_run import classify_ray

    r = classify_ray(str(input), output, options, model=model, rows_per_batch=rows, verbose=state["debug"], **ray)
    out.print(
        f"{r.rows} rader i {len(r.shards)} delfiler: {r.classified} klassificerade, {r.skipped} hoppade över; "
        f"{r.shards_written} skrivna, {r.shards_skipped} redan klara. Skrev {output} på {r.seconds:.1f} s."
    )


def _classify_local(
    input: Path, output: Path, options: ClassifyOptions, model: str | None, in_place: bool, extras: ClassifyExtras
) -> None:
    from stamning.engines.local import classify_file

    announce_setup()
    run = None
    loaded: object = model  # a name, a folder, or (own themes) a loaded model
    if extras.needed:  # own themes, a wide export, the results store
        o = options
        run = extras.prepare(
            input, output, model, str(o.device), o.text_column, o.id_column, o.round_column, o.group_column, o.sheet
        )
        input, loaded = run.input, run.model
        options = replace(
            options,
            text_column=run.text_column,
            id_column=run.id_column,
            group_column=run.group_column,
            sheet=run.sheet,
        )
    bar, progress = progress_bar()
    if bar:
        bar.start()
    try:
        result = classify_file(input, output, options, model=loaded, progress=progress, in_place=in_place)
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
