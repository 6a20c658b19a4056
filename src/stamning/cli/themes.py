"""``stamning themes init|check``: the user's own theme file (registered from :mod:`stamning.cli.app`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

themes_app = typer.Typer(
    help="Egna teman: en TOML-fil i samma format som den inbyggda taxonomin.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
ThemeFile = Annotated[Path, typer.Argument(help="Temafilen (.toml).", show_default=False)]


def themes_init(
    path: ThemeFile, force: Annotated[bool, typer.Option("--force", help="Skriv över en befintlig fil.")] = False
) -> None:
    """Skriv en kommenterad mall med två exempelteman att utgå från."""
    from stamning.themes.check import write_template

    write_template(path, overwrite=force)
    Console().print(f"Skrev {path}. Ändra teman och kontrollera med: stamning themes check {path}")


def themes_check(path: ThemeFile) -> None:
    """Kontrollera en temafil; varje fel anges med radnummer."""
    from stamning.themes.check import check_file

    taxonomy = check_file(path)
    Console().print(f"{path.name}: {len(taxonomy.keys)} teman utan fel ({', '.join(taxonomy.keys)}).")


def register(app: typer.Typer, command) -> None:
    themes_app.command("init")(command(themes_init))
    themes_app.command("check")(command(themes_check))
    app.add_typer(themes_app, name="themes")
