"""A background loop on a daemon thread: the embedded job worker and the reaper."""

from __future__ import annotations

import threading
from typing import Self


class BackgroundLoop:
    """Calls ``step`` on a daemon thread until stopped, waiting ``idle_seconds`` after every
    step that found nothing to do; ``stop`` ends the wait at once."""

    def __init__(self, name: str, idle_seconds: float) -> None:
        self._idle = idle_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def step(self) -> bool:
        """One unit of work; True when there may be more to do right away."""
        raise NotImplementedError

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.step():
                self._stop.wait(self._idle)
