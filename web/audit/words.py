"""The audit trail in the reader's words: action codes, object types, the fields of an
event's before/after and their values, through the catalogue (``audit.action.<code>``,
``audit.object.<type>``, ``audit.field.<name>`` and the existing words for roles, statuses,
dispositions, typologies...). Called while a request is served: the words are in its
user's language.

The trail keeps codes: a code the catalogue does not know (an event written by an older
version) is shown as written. Identifiers (user names, file names, list and entry ids,
digests) are shown as written too, marked as such (``Part.code``) so that the page sets them
apart from words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aml_screen.i18n import catalogue
from aml_screen.store.audit_trail import ABSENT, USER_FIELDS, changes
from aml_screen.store.cases import VOID_REASON
from aml_screen.store.models import AuditEvent
from web.i18n import format_day, format_number, format_time, format_typology, gettext

STATUS_WORDS = {"alert": "web.status.", "export": "web.status.", "case": "cases.status.",
                "exemption": "exemptions.status.", "evidence_package": "evidence.status.",
                "batch": "web.batch.status."}
DISPOSITION_WORDS = {"alert": "web.disposition.", "export": "web.disposition.",
                     "case": "cases.disposition."}
"""A status or disposition is worded by the kind of object it belongs to (an export's
filters name alert statuses)."""
CODE_WORDS = {"role": "web.role.", "language": "web.language.", "scopes": "tokens.scope.",
              "scope": "audit.value.scope.", "second_factor": "audit.value.second_factor.",
              "step": "audit.value.step.", "events": "webhooks.event.",
              "sso_refusal": "audit.value.sso_refusal."}
TEXT_FIELDS = frozenset({"body", "close_reason", "description", "label", "name", "narrative",
                         "query", "reason", "title"})
"""Fields holding what a person wrote: shown as words. Any other text that is neither a
known code nor a date is an identifier, shown as written."""
ID_FIELDS = frozenset({"after", "into", "merged", "split_into"})
"""Fields holding ids without the ``_id`` ending: not counts, so not written as numbers."""
DIGEST = re.compile(r"[0-9a-f]{32,}")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*")
DIGEST_SHOWN = 12
"""Hex digits of a digest shown; the whole digest is in the title."""


@dataclass(frozen=True)
class Part:
    """A piece of a value: words, or (``code``) an identifier shown as written."""

    text: str
    code: bool = False
    title: str | None = None
    """The whole value when ``text`` shortens it."""


@dataclass(frozen=True)
class Line:
    """A line of a value: a nested field (``label``: its words) and what it holds."""

    label: Part | None
    parts: tuple[Part, ...]


Value = tuple[Line, ...]


@dataclass(frozen=True)
class ShownChange:
    field: Part
    before: Value | None
    """None: the field was absent (an empty cell), not null."""
    after: Value | None
    changed: bool


@dataclass(frozen=True)
class ShownEvent:
    event: AuditEvent
    action: str | None
    """The action in words; None when the catalogue does not know its code."""
    object: str | None
    changes: list[ShownChange]


@dataclass(frozen=True)
class _Context:
    object_type: str
    users: Mapping[int, str]
    payload: Mapping[str, Any]
    """The before or after the value comes from (a message key's parameters are in it)."""


def known_words(key: str) -> str | None:
    """The message ``key`` in the user's language; None when the catalogue lacks it."""
    return gettext(key) if key in catalogue() else None


def action_words(code: str) -> str | None:
    return known_words(f"audit.action.{code}")


def object_words(object_type: str) -> str | None:
    return known_words(f"audit.object.{object_type}")


def known_actions() -> list[tuple[str, str]]:
    """(code, words) of every action the catalogue words, by code: the filter's choices."""
    prefix = "audit.action."
    return [(key.removeprefix(prefix), gettext(key))
            for key in sorted(catalogue()) if key.startswith(prefix)]


def field_part(name: str) -> Part:
    words = known_words(f"audit.field.{name}")
    return Part(words) if words else Part(name, code=True)


def _message(key: str, params: Any) -> str | None:
    """A stored message key (a job's error, a requeue's reason) told in words; None when it
    is not one, or its stored parameters do not fit it."""
    if key not in catalogue():
        return None
    try:
        return gettext(key, **(params if isinstance(params, dict) else {}))
    except (KeyError, IndexError, ValueError):
        return None


def _coded(field: str, value: str, ctx: _Context) -> str | None:
    """A code value in words (a role, a status, a typology...), None when not one."""
    if field == "typology":
        return format_typology(value)
    prefix = {"status": STATUS_WORDS, "disposition": DISPOSITION_WORDS}.get(
        field, {}).get(ctx.object_type) or CODE_WORDS.get(field)
    if prefix and (words := known_words(prefix + value)):
        return words
    cause = value.removeprefix(f"{VOID_REASON}:")
    if cause != value:
        return known_words(f"cases.void_cause.{cause}")
    return _message(value, ctx.payload.get("error_params"))


def _when(value: str) -> str | None:
    """An ISO date or instant the user's way; None when ``value`` is not one."""
    try:
        if DAY.fullmatch(value):
            return format_day(date.fromisoformat(value))
        if INSTANT.fullmatch(value):
            return format_time(datetime.fromisoformat(value))
    except ValueError:
        return None
    return None


def _text(field: str, value: str, ctx: _Context) -> Part:
    if DIGEST.fullmatch(value):
        return Part(value[:DIGEST_SHOWN] + "…", code=True, title=value)
    words = _when(value) or _coded(field, value, ctx)
    if words is not None:
        return Part(words)
    return Part(value, code=field not in TEXT_FIELDS)


def _number(field: str, value: float, ctx: _Context) -> Part:
    if field in USER_FIELDS and value in ctx.users:
        return Part(f"{ctx.users[int(value)]} (#{value})", code=True)
    if field.endswith(("_id", "_ids")) or field in ID_FIELDS:
        return Part(str(value), code=True)
    return Part(format_number(value))


def _scalar(field: str, value: Any, ctx: _Context) -> Part:
    if value is None:
        return Part("—")
    if isinstance(value, bool):
        return Part(gettext("audit.value.yes" if value else "audit.value.no"))
    if isinstance(value, int | float):
        return _number(field, value, ctx)
    if isinstance(value, str):
        return _text(field, value, ctx)
    return Part(str(value), code=True)


def _joined(groups: Iterable[tuple[Part, ...]], separator: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    for group in groups:
        if parts:
            parts.append(Part(gettext(separator)))
        parts.extend(group)
    return tuple(parts) or (Part("—"),)


def _labelled(name: str, value: Any, ctx: _Context) -> tuple[Part, ...]:
    return (field_part(name), Part(gettext("audit.value.separator")),
            *_parts(name, value, ctx))


def _parts(field: str, value: Any, ctx: _Context) -> tuple[Part, ...]:
    """A value on one line: a list's items joined with commas, a dict's fields with
    semicolons (``field: value``)."""
    if isinstance(value, list):
        return _joined((_parts(field, item, ctx) for item in value),
                       "audit.value.list_separator")
    if isinstance(value, dict):
        return _joined((_labelled(name, value[name], ctx) for name in sorted(value)),
                       "audit.value.item_separator")
    return (_scalar(field, value, ctx),)


def shown_value(field: str, value: Any, ctx: _Context) -> Value | None:
    """A stored value as lines: a dict (a list version: ``{"sha256": ..., "version_date":
    ...}``) one line per field, anything else one line."""
    if value is ABSENT:
        return None
    if isinstance(value, dict) and value:
        return tuple(Line(field_part(name), _parts(name, value[name], ctx))
                     for name in sorted(value))
    return (Line(None, _parts(field, value, ctx)),)


def shown_changes(event: AuditEvent, users: Mapping[int, str]) -> list[ShownChange]:
    """The event's before/after, field by field, in words (``users``: names by id)."""
    before = _Context(event.object_type, users, event.before or {})
    after = _Context(event.object_type, users, event.after or {})
    return [ShownChange(field_part(row.field), shown_value(row.field, row.before, before),
                        shown_value(row.field, row.after, after), row.changed)
            for row in changes(event.before, event.after)]


def shown_event(event: AuditEvent, users: Mapping[int, str]) -> ShownEvent:
    return ShownEvent(event, action_words(event.action), object_words(event.object_type),
                      shown_changes(event, users))
