"""HTTP errors and engine errors rendered as one page, in the user's language; inside the
JSON API, as a problem document (``web.api.problems``)."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]
from werkzeug.exceptions import HTTPException

from aml_screen.errors import AmlScreenError
from web.api.problems import ApiError, api_problem, engine_problem, http_problem, in_api
from web.i18n import gettext


def _http_error(error: HTTPException) -> tuple[str, int] | Response:
    if in_api():
        return http_problem(error)
    code = error.code or 500
    key = f"web.error.{code}"
    message = gettext(key) if key != gettext(key) else error.name
    return render_template("error.html", code=code, message=message), code


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return render_template("error.html", code=400, message=gettext("web.error.csrf")), 400


def _engine_error(error: AmlScreenError) -> tuple[str, int] | Response:
    if in_api():
        return engine_problem(error)
    code = int(getattr(error, "http_status", 400))
    message = gettext(error.key, **error.params)
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(AmlScreenError, _engine_error)
    app.register_error_handler(ApiError, api_problem)
