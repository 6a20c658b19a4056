"""Errors a user can act on. Each says what was expected, what was found and the fix.

Messages never contain a comment's text (comments are personal data)."""

from __future__ import annotations


class StamningError(Exception):
    """Base class: the CLI prints ``str(err)`` as one line and exits with ``exit_code``."""

    exit_code = 2


class InputError(StamningError):
    """The input file cannot be read as a table of comments."""


class ColumnError(InputError):
    """A column was asked for (or needed) that the file does not have."""


class ModelError(StamningError):
    """A model directory or hub name cannot be loaded."""


class ConfigError(StamningError, ValueError):
    """A configuration value is invalid."""


class DiskError(StamningError):
    """The operating system refused a read or a write (a full disk, a read-only folder, …)."""

    exit_code = 4


class Interrupted(StamningError):
    """The run was interrupted (Ctrl-C); the message says what was kept."""

    exit_code = 130
