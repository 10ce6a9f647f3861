"""English/French/Arabic message catalogue for every user-facing text outside the web app.

Messages live in ``aml_screen/locales/<area>.yaml`` as ``key: {en: ..., fr: ...}``; one file
per area so each part of the engine owns its texts. ``translate()`` formats with
``str.format``. There is no current language: the engine keeps codes and parameters, and
each edge (a CLI run, a web request, an export) names its reader's language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

LANGUAGES = ("en", "fr", "ar")
RIGHT_TO_LEFT = frozenset({"ar"})
"""Languages written right to left: their pages are laid out mirrored."""


def direction(lang: str) -> str:
    """``rtl`` or ``ltr``, for ``<html dir>``."""
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"
_LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, merged from every area file; a key defined twice is an error."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_LOCALES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"message {key!r} defined twice ({path.name})")
            merged[key] = texts
    return merged


def translate(key: str, lang: str, **params: Any) -> str:
    """The message ``key`` in ``lang`` (English when that language lacks it). A parameter
    that is itself a message, ``{"key": ..., "params": {...}}``, is told in ``lang`` too: a
    message stored with its parameters (as JSON) keeps its inner words translatable. A
    day or an instant is written the language's way (7 déc. 2026)."""
    for name, value in params.items():
        if isinstance(value, dict) and isinstance(value.get("key"), str):
            params[name] = translate(value["key"], lang, **(value.get("params") or {}))
        elif isinstance(value, datetime):
            params[name] = instant(value, lang)
        elif isinstance(value, date):
            params[name] = _day(value, lang)
    texts = catalogue().get(key)
    if texts is None:
        return key if not params else f"{key} {params}"
    template = texts.get(lang) or texts["en"]
    return template.format(**params)


def number(value: float | Decimal, lang: str, places: int | None = None) -> str:
    """``value`` written the way the language writes numbers (3,008 / 3 008), by Babel's
    CLDR data, with exactly ``places`` decimals when given."""
    pattern = None if places is None else "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=lang))


def day(value: date | datetime, lang: str) -> str:
    """A date the way the language writes it (6 Dec 2026 / 6 déc. 2026), by CLDR."""
    return str(format_date(value, format="medium", locale=lang))


@lru_cache(maxsize=4096)
def _day(value: date, lang: str) -> str:
    """CLDR formatting is slow, and a page or a report repeats the same few hundred days
    (a busy subject's timeline tooltips)."""
    return day(value, lang)


def instant(value: datetime, lang: str) -> str:
    """An instant the language's way, in UTC (7 Dec 2026 10:16 UTC / 7 déc. 2026 10:16
    UTC); a naive value is taken as UTC, as the store keeps it."""
    at = value.astimezone(UTC) if value.tzinfo is not None else value
    return f"{_day(at.date(), lang)} {at:%H:%M} UTC"


def plural(key: str, lang: str, quantity: int, **params: Any) -> str:
    """Message ``key.<form>`` for ``quantity`` in ``lang``, the form (``one``, ``other``,
    and the others a language has: Arabic's ``zero``, ``two``, ``few``, ``many``) chosen
    by CLDR's plural rules; ``key.other`` when the catalogue has no message for that form
    in ``lang`` (French's ``many``, for a million, is written as its ``other``)."""
    form = f"{key}.{Locale.parse(lang).plural_form(quantity)}"
    found = catalogue().get(form)
    return translate(form if found and lang in found else f"{key}.other", lang, **params)
