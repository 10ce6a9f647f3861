"""Progress reporting that long jobs call and front ends render (rich bars in the CLI,
a job record in the web app). Engine code only sees the ``Progress`` protocol."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichBar

Advance = Callable[[int], None]


class Progress(Protocol):
    def stage(self, label: str, total: int | None) -> Advance:
        """Start a stage of ``total`` units (None: unknown); returns the advance callback."""
        ...


class NoProgress:
    """Reports nothing (tests, library use, ``--no-progress``)."""

    def stage(self, label: str, total: int | None) -> Advance:
        return lambda _n: None


class RichProgress:
    """One rich bar per stage on stderr; use as a context manager."""

    def __init__(self, console: Console | None = None) -> None:
        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )

    def stage(self, label: str, total: int | None) -> Advance:
        task = self._bar.add_task(label, total=total)
        return lambda n: self._bar.advance(task, n)

    @contextmanager
    def running(self) -> Iterator[RichProgress]:
        """The bars shown while the block runs; if it fails, they are taken off the screen,
        so the one-line error is all that is left."""
        with self._bar:
            try:
                yield self
            except BaseException:
                self._bar.live.transient = True
                raise
