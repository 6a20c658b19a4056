"""Library progress (standard ``logging``) shown to a CLI user: one plain line per record on stderr."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


class ConsoleHandler(logging.Handler):
    """Each record's message as it is (no level, no logger name), through a rich console."""

    def __init__(self, console: Console):
        super().__init__(logging.INFO)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.print(record.getMessage(), highlight=False, markup=False)
        except Exception:  # a handler never raises into the training loop
            self.handleError(record)


@contextmanager
def progress_to(console: Console, *names: str) -> Iterator[None]:
    """While inside: INFO records of the loggers ``names`` (e.g. ``stamning.training``) go to ``console``."""
    handler = ConsoleHandler(console)
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.removeHandler(handler)
            lg.setLevel(level)
