"""Progress reporting that long jobs call and front ends render (rich bars in the CLI,
a job record in the web app). Engine code only sees the ``Progress`` protocol, and names
each stage by a message key and its parameters: the front end tells it in its reader's
language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichBar

from aml_screen.i18n import translate

Advance = Callable[[int], None]


class Progress(Protocol):
    def stage(self, key: str, total: int | None, **params: Any) -> Advance:
        """Start the stage told by message ``key`` (with ``params``) of ``total`` units
        (None: unknown); returns the advance callback."""
        ...


class NoProgress:
    """Reports nothing (tests, library use, ``--no-progress``)."""

    def stage(self, key: str, total: int | None, **params: Any) -> Advance:
        return lambda _n: None


class RichProgress:
    """One rich bar per stage on stderr, labelled in ``lang``; use as a context manager."""

    def __init__(self, lang: str, console: Console | None = None) -> None:
        self._lang = lang
        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )

    def stage(self, key: str, total: int | None, **params: Any) -> Advance:
        task = self._bar.add_task(translate(key, self._lang, **params), total=total)
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
