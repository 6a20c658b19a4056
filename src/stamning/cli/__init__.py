"""The command line (typer): a thin layer over the library; one module per command group.

Modules: ``app`` (the ``stamning`` app, error handling, registration), one module per command group (``classify``,
``training``, ``setup``, ``summary``, ``redact``, ``serve``, ``store``, ``themes``), ``options`` (shared option
types), ``console`` (the consoles and status lines), ``swedish`` (click's words in Swedish), ``notes`` (reader notes
printed to the user), ``logs`` (library progress as plain lines on stderr)."""

from stamning.cli.app import app

__all__ = ["app"]
