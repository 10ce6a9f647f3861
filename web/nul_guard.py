"""Text holding a NUL character (code 0) is refused at the door, on pages and in the API.

PostgreSQL stores no such text, so a comment, a search or a case note holding one would
otherwise fail deep in the store with a 500 (and SQLite would store it, to be shown garbled
later). Checked before any view runs: query arguments, form fields (not uploaded files,
whose bytes the intake reads as data) and text parts of the path."""

from __future__ import annotations

from flask import Flask, request

from aml_screen.errors import InputError
from aml_screen.i18n import translate
from web.api.problems import ApiError, api_language, in_api

NUL = "\x00"


def fields_with_nul() -> list[str]:
    """Names of the request's text fields whose name or value holds a NUL character."""
    found = {name for source in (request.args, request.form)
             for name, value in source.items(multi=True) if NUL in name or NUL in value}
    found.update(name for name, value in (request.view_args or {}).items()
                 if isinstance(value, str) and NUL in value)
    return sorted(found)


def _refuse_nul() -> None:
    fields = fields_with_nul()
    if not fields:
        return
    if in_api():
        message = translate("api.field.nul", api_language())
        raise ApiError(422, "api.detail.invalid",
                       extra={"errors": [{"field": name.replace(NUL, "\\0"), "message": message}
                                         for name in fields]})
    raise InputError("web.error.nul")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
