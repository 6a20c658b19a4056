"""The command line (typer): a thin layer over the library; one module per command group.

Modules: ``app`` (the ``stamning`` app and its main commands), ``store`` and ``themes`` (command groups),
``swedish`` (click's words in Swedish), ``notes`` (reader notes printed to the user).
"""

from stamning.cli.app import app

__all__ = ["app"]
