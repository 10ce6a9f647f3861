"""Values as cells: text for CSV and PDF, native types for XLSX, and formula neutralising.

Names come from untrusted batches and lists; a spreadsheet runs a cell beginning with ``=``,
``+``, ``-``, ``@``, tab or CR as a formula, so such text gets a leading apostrophe — the
same rule (``_FORMULA_START``) as the screening outputs, applied one value at a time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aml_screen.i18n import translate
from aml_screen.outputs import _FORMULA_START

FORMULA_START = re.compile(_FORMULA_START)
LIST_SEPARATOR = "|"


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    return "'" + text if FORMULA_START.match(text) else text


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_text(value: Any, separator: str = LIST_SEPARATOR) -> str:
    """A value as plain text (CSV, PDF): lists joined, times in UTC, None empty. Not
    neutralised: only text that came in as text is (see ``safe_text``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, list | tuple):
        return separator.join(str(item) for item in value)
    return str(value)


def safe_text(value: Any) -> str:
    """A CSV cell: numbers as written, every text (lists included) neutralised. Plain text,
    most cells of a million-row export, takes the shortest path."""
    if value.__class__ is str:
        return "'" + value if FORMULA_START.match(value) else value
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    return neutralise(as_text(value))


def headers(columns: tuple[str, ...], lang: str) -> list[str]:
    """Column titles in ``lang``."""
    return [translate(f"exports.col.{column}", lang) for column in columns]
