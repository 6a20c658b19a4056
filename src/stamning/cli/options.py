"""The options several commands share, as ``Annotated`` types (one help text per option, in Swedish)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stamning.errors import StamningError
from stamning.options import Device, ReportFormat

InputArg = Annotated[Path, typer.Argument(help="Indatafil: .csv, .xlsx, .jsonl eller .parquet.", show_default=False)]
OptInputArg = Annotated[
    Path | None,
    typer.Argument(help="Indatafil (.csv, .xlsx, .jsonl, .parquet, .xml); utelämnas med --store.", show_default=False),
]
TextCol = Annotated[
    str | None,
    typer.Option("--text-column", help="Kolumnen med kommentaren (annars gissas: text, kommentar, svar, fritext …)."),
]
IdCol = Annotated[str | None, typer.Option("--id-column", help="Kolumnen med id (annars radnummer).")]
RoundCol = Annotated[str | None, typer.Option("--round-column", help="Kolumnen med enkätomgång (t.ex. Omgång, År).")]
GroupCol = Annotated[str | None, typer.Option("--group-column", help="Kolumnen med grupp (t.ex. Grupp, Enhet).")]
IndexCol = Annotated[
    str | None, typer.Option("--index-column", help="Kolumnen med indexvärde 0–100 per svarande (t.ex. HME).")
]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Flik i en .xlsx-fil (annars den första).")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", "-m", help="Modellmapp (annars den inbyggda standardmodellen).")
]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, max=1024, help="Antal textbitar per körning i modellen.")]
DeviceOpt = Annotated[Device, typer.Option("--device", help="Var modellen körs.")]
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
ThemeExamplesOpt = Annotated[
    Path | None, typer.Option("--theme-examples", help="Märkta exempel för egna teman (kolumnerna text och themes).")
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


def read_names(path: Path | None) -> tuple[str, ...]:
    """The colleagues' names of ``--names``: one per line, blank lines and ``#`` comments left out."""
    if path is None:
        return ()
    from stamning.io.tables import decode_bytes

    if not path.is_file():
        raise StamningError(f"{path}: namnlistan finns inte; ge en textfil med ett namn per rad")
    return tuple(
        n.strip() for n in decode_bytes(path.read_bytes(), path).splitlines() if n.strip() and not n.startswith("#")
    )
