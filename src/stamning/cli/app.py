"""Kommandoraden: ett tunt lager över biblioteket. Varje kommando tolkar argument, anropar en
biblioteksfunktion och skriver ut resultatet. Fel blir en rad på svenska och en slutkod ≠ 0.

This module holds the ``stamning`` app, its callback (``--debug``, ``--version``), the error handling every
command shares (:func:`command`) and the registration of the commands, one module per command group:
:mod:`~stamning.cli.classify`, :mod:`~stamning.cli.training` (train, evaluate), :mod:`~stamning.cli.setup`,
:mod:`~stamning.cli.summary` (summarize, compare), :mod:`~stamning.cli.redact`, :mod:`~stamning.cli.serve`,
:mod:`~stamning.cli.store` and :mod:`~stamning.cli.themes`; shared options in :mod:`~stamning.cli.options`."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from functools import wraps
from typing import Annotated, NoReturn, ParamSpec, TypeVar

import typer

from stamning import __version__
from stamning.cli.console import err, out, state
from stamning.cli.swedish import SwedishGroup
from stamning.errors import StamningError

P = ParamSpec("P")
R = TypeVar("R")

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


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"[bold red]Fel:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _trace() -> None:
    if state["debug"]:
        traceback.print_exc()


def command(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into one readable line and a non-zero exit (a traceback only with --debug)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from stamning.model.loading import hub_offline_default

        hub_offline_default()
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except StamningError as exc:
            _trace()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("avbrutet; ingen ofullständig utfil har skrivits", 130)
        except MemoryError:
            _fail("minnet tog slut; prova en mindre --batch-size eller dela upp filen", 3)
        except OSError as exc:  # a read-only folder, a full disk, …: the path and the fix
            _trace()
            from stamning.io.oserrors import os_error_message

            _fail(os_error_message(exc), 4)
        except Exception as exc:  # unexpected: never print the message (it may quote a comment)
            _trace()
            _fail(f"oväntat fel ({type(exc).__name__}); kör igen med --debug för detaljer och rapportera felet", 1)

    return wrapper


def _version(value: bool) -> None:
    if value:
        out.print(f"stamning {__version__}", highlight=False)
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
    state["debug"] = debug
    from stamning.cli.notes import print_source_notes

    print_source_notes(err)


def _register() -> None:
    """The commands in the order ``stamning --help`` lists them, each wrapped in :func:`command`."""
    from stamning.cli import classify, redact, serve, setup, store, summary, themes, training

    for func in (
        classify.classify,
        training.train,
        training.evaluate,
        setup.setup,
        summary.summarize,
        summary.compare,
        redact.redact,
        serve.serve,
    ):
        app.command()(command(func))
    store.register(app, command)
    themes.register(app, command)


_register()
