"""``stamning store list|remove``: manage a results store (registered from :mod:`stamning.cli.app`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

store_app = typer.Typer(
    help="Resultatlagret: klassade omgångar sparade i en fil (se docs/store.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
StorePath = Annotated[Path, typer.Argument(help="Resultatlagret (t.ex. resultat.sqlite).", show_default=False)]


def store_list(store: StorePath) -> None:
    """Visa omgångarna i lagret: modell, antal rader, när de lades till och från vilka filer."""
    from stamning.store.database import ResultStore

    with ResultStore(store, readonly=True) as db:
        entries = db.listing()
    console = Console(highlight=False, soft_wrap=True)
    if not entries:
        console.print(f"{store.name} är tomt.")
        return
    console.print(f"{store.name}: {len(entries)} omgång/modell-par")
    for e in entries:
        console.print(
            f"omgång {e.round}: modell {e.model_id} (grund {e.base}, teman {e.taxonomy or 'inbyggda'}), "
            f"{e.rows} rader, {e.classified} klassade, tillagd {e.last_added}, från {', '.join(e.sources)}"
        )


def store_remove(
    store: StorePath,
    round: Annotated[str, typer.Option("--round", help="Omgången som tas bort.")],
    model: Annotated[
        str | None,
        typer.Option("--model-id", help="Bara raderna från den här modellen (id eller början av id, se store list)."),
    ] = None,
) -> None:
    """Ta bort en omgångs rader ur lagret (alla modeller, eller en med --model-id)."""
    from stamning.store.database import ResultStore

    with ResultStore(store) as db:
        removed = db.remove(round, model)
    Console().print(f"Tog bort {removed} rader för omgång {round} ur {store.name}.")


def register(app: typer.Typer, command) -> None:
    """Add ``store list`` and ``store remove`` to the main app; ``command`` turns errors into one line."""
    store_app.command("list")(command(store_list))
    store_app.command("remove")(command(store_remove))
    app.add_typer(store_app, name="store")
