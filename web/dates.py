"""Days typed into forms and query strings, written the unit's way: 31/12/2026.

Browsers draw ``<input type="date">`` in their own locale, not in the user's language: a
French investigator on an English Chromium read and typed 12/31/2026. Day fields are text
fields in day/month/year order — the order of French, Arabic and British English — with the
user's placeholder (jj/mm/aaaa, dd/mm/yyyy, ي ي/ش ش/س س س س). Arabic-Indic digits are read
as digits; ISO 8601 (2026-12-31) is accepted too, so that links and bookmarks keep working.
A value that is no day is refused (400), quoting it: quietly dropping it would show a
list the user did not ask for."""

from __future__ import annotations

import re
from datetime import date

from markupsafe import Markup

from aml_screen.errors import InputError

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
_TYPED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
PATTERN = r"\s*(\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*"
"""What the browser lets through before sending (the server checks again)."""


def parse_day(text: str | None) -> date | None:
    """The day typed (day/month/year, or ISO); None when blank."""
    value = (text or "").strip().translate(_DIGITS)
    if not value:
        return None
    iso = _ISO.fullmatch(value)
    typed = None if iso else _TYPED.fullmatch(value)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if typed:
            return date(int(typed[3]), int(typed[2]), int(typed[1]))
    except ValueError:
        pass
    raise InputError("web.bad_day", value=(text or "")[:40])


def typed_day(value: date | str | None) -> str:
    """A day as the field shows it (31/12/2026); empty for none. A string (a form's value
    sent back) is read first."""
    if isinstance(value, str):
        typed = value
        try:
            value = parse_day(typed)
        except InputError:  # shown back as typed, beside the message that refuses it
            return typed.strip()
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def day_field(name: str, value: date | str | None, placeholder: str, label: str,
              required: bool = False) -> Markup:
    """The text field of a day: digits keyboard on phones, left to right in Arabic pages
    too (a day is written 31/12/2026 there as well), checked by the browser before sending."""
    return Markup(
        '<input type="text" name="{}" value="{}" inputmode="numeric" autocomplete="off" '
        'dir="ltr" size="10" maxlength="20" pattern="{}" placeholder="{}" title="{}"{}>'
    ).format(name, typed_day(value), PATTERN, placeholder, label,
             Markup(" required") if required else Markup(""))

