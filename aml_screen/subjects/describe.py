"""A link's reason in words, in the reader's language: codes travel, text is made here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from aml_screen.i18n import day, number, translate

PLACES = {"score": 0, "rarity": 1}
"""Decimals shown of a link's measures (other numbers are counts)."""


def describe_link(code: str, params: Mapping[str, Any] | str, lang: str) -> str:
    """``code`` (``links.CODES``) with its ``params`` (a mapping or the link's JSON) as a
    sentence in ``lang``, numbers and dates written the language's way; a detail the
    records did not give reads as unknown."""
    values = json.loads(params) if isinstance(params, str) else dict(params)
    unknown = translate("subjects.unknown", lang)
    filled = {key: unknown if value is None else _shown(key, value, lang)
              for key, value in values.items()}
    return translate(f"subjects.link.{code}", lang, **filled)


def _shown(key: str, value: Any, lang: str) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, lang, PLACES.get(key, 0))
    if key == "birth_date" and isinstance(value, str):
        try:
            return day(date.fromisoformat(value), lang)
        except ValueError:
            return value  # a year or a partial date, as the records gave it
    return value
