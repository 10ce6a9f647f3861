"""Identifiers in paths, query strings and forms, checked before they reach the store
(``aml_screen.store.ids``). One rule everywhere:

- in a path, ``<id:name>`` matches only an identifier: anything else is not a page (404);
- in a query string or a form, a value that is not an identifier is refused (400) with a
  message naming the field: it cannot name a row, and quietly dropping it would show a
  list the user did not ask for.

``check_every_id_is_bounded`` refuses to start an app with a plain ``<int:…>`` rule."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from aml_screen.errors import InputError
from aml_screen.store.ids import ID_PATTERN, MAX_ID, parse_id


class IdConverter(BaseConverter):
    """``<id:name>``: a row identifier, 1..``MAX_ID``."""

    regex = ID_PATTERN
    weight = 50  # as specific as werkzeug's own number converters

    def to_python(self, value: str) -> int:
        found = parse_id(value)
        if found is None:
            # Not werkzeug's ValidationError: with it, a path whose other methods have a rule
            # too answers 405 instead of 404.
            raise NotFound
        return found

    def to_url(self, value: object) -> str:
        return str(int(str(value)))


def _refuse(name: str, text: str) -> InputError:
    return InputError("web.bad_id", field=name, value=text[:40], maximum=MAX_ID)


def query_id(args: Mapping[str, str], name: str) -> int | None:
    """Query argument ``name`` as an identifier; None when absent or blank."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    found = parse_id(text)
    if found is None:
        raise _refuse(name, text)
    return found


def form_id(name: str) -> int:
    """Form field ``name``, which must hold an identifier."""
    text = request.form.get(name, "").strip()
    found = parse_id(text)
    if found is None:
        raise _refuse(name, text)
    return found


def form_ids(name: str) -> list[int]:
    """Every value of form field ``name`` (blank ones skipped), each an identifier."""
    ids = []
    for text in (value.strip() for value in request.form.getlist(name)):
        if text:
            found = parse_id(text)
            if found is None:
                raise _refuse(name, text)
            ids.append(found)
    return ids


def page_number(text: str | None) -> int:
    """A list's page: 1 unless ``text`` is a page number (a hand-edited page past the end
    shows an empty page, never an error)."""
    return parse_id(text) or 1


def check_every_id_is_bounded(app: Flask) -> None:
    """Refuse to start with a rule taking an unbounded ``<int:…>``."""
    unbounded = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    if unbounded:
        raise RuntimeError(f"routes with <int:…> instead of <id:…>: {unbounded}")


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
