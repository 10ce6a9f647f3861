"""Pages in the user's language through the engine's own catalogue (``translate``): the
signed-in user's preference, else the choice made on the log-in page, else the browser's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.lists import format_list
from flask import Flask, g, request, session
from markupsafe import Markup

from aml_screen.i18n import LANGUAGES, day, direction, instant, number, plural, translate
from aml_screen.ingest.reasons import note_sentences
from aml_screen.rules.sentences import typology_label
from web.dates import day_field
from web.services import services


def current_language() -> str:
    user = g.get("user")
    if user is not None:
        return str(user.language)
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    best = request.accept_languages.best_match(LANGUAGES)
    return best or services().settings.language


def gettext(key: str, **params: Any) -> str:
    return translate(key, current_language(), **params)


def ngettext(key: str, quantity: int, **params: Any) -> str:
    """``key``'s plural form for ``quantity`` (``{count}`` is the quantity, written the
    user's way)."""
    lang = current_language()
    return plural(key, lang, quantity, count=number(quantity, lang), **params)


def format_number(value: float | Decimal | None, places: int | None = None) -> str:
    """A count or score written the user's way (1,250 / 1 250; 97.5 / 97,5), with exactly
    ``places`` decimals when given."""
    return "" if value is None else number(value, current_language(), places)


def format_amount(value: Decimal | None, lang: str | None = None) -> str:
    """Thousands separated the user's way (1 250 000,50 in French), never through float;
    ``lang`` when the caller already knows it (a chart's thousand tooltips)."""
    if value is None:
        return ""
    text = f"{value.normalize():,f}"
    if (lang or current_language()) == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_listing(values: Iterable[object]) -> str:
    """Several values as the user's language lists them ("a, b, c"; "a، وb، وc" in
    Arabic), by CLDR."""
    return str(format_list([str(value) for value in values], style="unit",
                           locale=current_language()))


def format_typology(value: str) -> str:
    """A typology's name in the user's language (``terrorist_financing`` -> Terrorist
    financing)."""
    return typology_label(value, current_language())


def format_time(value: datetime | None, lang: str | None = None) -> str:
    """An instant the user's way, in UTC (7 Dec 2026 10:16 UTC / 7 déc. 2026 10:16 UTC);
    ``lang`` when the caller already knows it."""
    return "" if value is None else instant(value, lang or current_language())


def format_day(value: date | datetime | None) -> str:
    """A day the user's way (6 Dec 2026 / 6 déc. 2026)."""
    return "" if value is None else day(value, current_language())


def format_record(ref: str, subject_id: str = "") -> str:
    """A link's side in words: a record (``batch|transaction|role``), the earlier records
    of the subject shown (``subject_id``), or those of another known subject."""
    parts = ref.split("|")
    if len(parts) == 3:
        return gettext("web.subject.record", batch=parts[0], transaction=parts[1],
                       role=gettext(f"web.subject.role.{parts[2]}"))
    if ref == subject_id:
        return gettext("web.subject.earlier")
    return gettext("web.subject.known", subject=ref)


def format_ingest_notes(value: str | None) -> str:
    """A transaction's KYC values left out at ingest, in the user's language."""
    return "; ".join(note_sentences(value, current_language()))


def day_input(name: str, value: date | str | None, required: bool = False) -> Markup:
    """A form's day field (``web.dates``) with the user's placeholder and help."""
    return day_field(name, value, gettext("web.date.placeholder"), gettext("web.date.help"),
                     required)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(_=gettext, _n=ngettext, lang=current_language,
                                 day_input=day_input,
                                 direction=lambda: direction(current_language()),
                                 languages=LANGUAGES)
    app.jinja_env.filters.update(amount=format_amount, utc=format_time, number=format_number,
                                 typology=format_typology, day=format_day, listing=format_listing,
                                 record=format_record, ingest_notes=format_ingest_notes)
