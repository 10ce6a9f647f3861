"""Per-token request limits: a fixed window per token, counted in this process's memory
(the embedded mode; with several processes each counts its own share)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

PRUNE_ABOVE = 10_000
"""Tokens tracked before the windows that have ended are forgotten (bounded memory)."""


class FixedWindowLimiter:
    """At most ``limit`` requests per key in each ``seconds``-long window, the window
    starting with the key's first request after the previous one ended."""

    def __init__(self, limit: int, seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._windows: dict[int, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: int) -> int:
        """Count one request; 0 when it is allowed, else the whole seconds to wait until
        the window ends (for ``Retry-After``, at least 1)."""
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.seconds:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(start + self.seconds - now))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > PRUNE_ABOVE:
                self._windows = {k: w for k, w in self._windows.items()
                                 if now - w[0] < self.seconds}
            return 0
