"""Notes from the source readers (WordPress, wide exports) printed by the CLI: counts and column names,
never a comment's text. The readers log them on ``stamning.sources``."""

from __future__ import annotations

import logging


class NoteHandler(logging.Handler):
    def __init__(self, console):
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        self.console.print(f"Obs: {record.getMessage()}", highlight=False, soft_wrap=True)


def print_source_notes(console) -> None:
    """Print ``stamning.sources`` notes on ``console`` (installed once per process)."""
    logger = logging.getLogger("stamning.sources")
    if not any(isinstance(h, NoteHandler) for h in logger.handlers):
        logger.addHandler(NoteHandler(console))
