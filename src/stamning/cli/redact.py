"""``stamning redact``: personal data masked in a table's comment column."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stamning.cli.console import out
from stamning.cli.options import InputArg, NamesOpt, SheetOpt, TextCol, read_names


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

    result = redact_file(
        input, output, text_column=text_column, sheet=sheet, names=read_names(names), in_place=in_place
    )
    out.print(f"{result.rows} rader, {result.changed} med maskade uppgifter. Skrev {result.output}.")
