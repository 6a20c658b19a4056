"""A progress display you can trust: total, percent, rate and time left, updated after every model batch.

:class:`RowProgress` holds the arithmetic (tested without a terminal); :func:`progress_bar` shows it with
rich on a terminal. Nothing here ever sees a comment's text."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def _number(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class RowProgress:
    """Rows done of a total (None when unknown), with the rate since the first row and the time left."""

    clock: Callable[[], float] = time.perf_counter
    start: float = field(default=0.0)
    done: int = 0
    total: int | None = None

    def __post_init__(self) -> None:
        self.start = self.clock()

    def update(self, done: int, total: int | None) -> None:
        self.done = max(self.done, int(done))  # never backwards
        if total is not None:
            self.total = int(total)

    @property
    def rate(self) -> float:
        return self.done / max(self.clock() - self.start, 1e-9)

    @property
    def percent(self) -> float | None:
        return None if not self.total else min(100.0, 100.0 * self.done / self.total)

    @property
    def seconds_left(self) -> float | None:
        if not self.total or not self.done:
            return None
        return max(0, self.total - self.done) / self.rate

    def line(self) -> str:
        """'1 024 av 3 000 rader (34 %), 120 rader/s, cirka 16 s kvar' (Swedish, no comment text)."""
        count = f"{_number(self.done)} av {_number(self.total)} rader" if self.total else f"{_number(self.done)} rader"
        parts = [count + (f" ({self.percent:.0f} %)" if self.percent is not None else "")]
        if self.done:
            parts.append(f"{_number(self.rate)} rader/s")
        left = self.seconds_left
        if left is not None:
            parts.append(f"cirka {_duration(left)} kvar")
        return ", ".join(parts)


def progress_bar(console, what: str):
    """A transient rich bar on ``console``; returns (bar, update) where update(done, total) feeds it."""
    from rich.progress import BarColumn, Progress, TextColumn

    state = RowProgress()
    bar = Progress(
        TextColumn(what),
        BarColumn(),
        TextColumn("{task.fields[line]}"),
        console=console,
        transient=True,
        refresh_per_second=4,
    )
    task = bar.add_task(what, total=None, line="räknar rader …")

    def update(done: int, total: int | None) -> None:
        state.update(done, total)
        bar.update(task, completed=state.done, total=state.total, line=state.line())

    return bar, update
