"""Row identifiers as people type them. Every id and version column is an INTEGER on both
databases (SQLite stores more, but PostgreSQL refuses past 2^31 - 1, and SQLite's driver
refuses past 2^63 - 1): a number outside 1..``MAX_ID`` names no row, and is checked here
before it reaches a query, where it would fail instead of finding nothing."""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1
ID_PATTERN = "[0-9]{1,10}"
"""ASCII digits only: ``str.isdigit`` also accepts ``²`` and ``٣``, which ``int`` reads
or refuses unpredictably."""
_ID = re.compile(ID_PATTERN)


def parse_id(text: str | None) -> int | None:
    """The identifier ``text`` spells, or None when it is not one (empty, not ASCII digits,
    or outside 1..``MAX_ID``)."""
    if text is None or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
