"""Results of a pure function of strings, computed for many strings at a time and kept
across calls.

Reading a word's pieces or a token's skeleton runs dozens of regular expressions, and
polars compiles each one again on every call, however few the strings: a single name
looked up cost milliseconds of compilation for three tokens. Names are made of a few
thousand common words, so those already read are taken from here and only new ones
computed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
MEMO_SIZE = 200_000
"""Most strings kept: past it the memo starts again empty (a large batch's own strings)."""


class StringMemo(Generic[T]):
    """``compute`` (strings → one result each, in order) with its results kept, for use
    from several threads: keys are never removed from a dict, a full memo is replaced by
    an empty one, so a reader never sees a key vanish under it."""

    def __init__(self, compute: Callable[[list[str]], list[T]], size: int = MEMO_SIZE) -> None:
        self._compute = compute
        self._size = size
        self._known: dict[str, T] = {}

    def __call__(self, keys: Iterable[str]) -> dict[str, T]:
        """Each distinct key of ``keys`` → its result."""
        known = self._known
        found: dict[str, T] = {}
        missing: list[str] = []
        for key in dict.fromkeys(keys):
            if key in known:
                found[key] = known[key]
            else:
                missing.append(key)
        if missing:
            computed = dict(zip(missing, self._compute(missing), strict=True))
            found.update(computed)
            if len(known) + len(computed) > self._size:
                known = self._known = {}
            known.update(computed)
        return found
