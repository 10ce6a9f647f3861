"""Errors inside ``/api/v1`` as RFC 9457 problem documents (``application/problem+json``):
a stable ``type`` per kind of problem, its ``title`` in the client's language
(``Accept-Language``: en, fr or ar, English by default), the HTTP ``status`` and a ``detail``
telling this occurrence; never a stack trace. An engine error also gives its message key
as ``code``, for programs that act on it."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

from aml_screen.errors import AmlScreenError
from aml_screen.i18n import LANGUAGES, translate

API_PREFIX = "/api/v1"
DOCS_PATH = API_PREFIX + "/docs"
"""The reference page for people: a web page, not an API operation (``in_api``)."""
PROBLEM_TYPES = "https://aml-screen.org/problems/"
PROBLEM_JSON = "application/problem+json"
KINDS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "too-large", 415: "unsupported-media",
    422: "invalid-input", 429: "rate-limited", 500: "internal-error", 503: "unavailable",
}
"""The problem kind of each status the API answers (``type`` is ``PROBLEM_TYPES`` + kind)."""


def in_api() -> bool:
    """Whether the request being answered is one of the API's (matched or not)."""
    return request.path != DOCS_PATH and (request.path == API_PREFIX
                                          or request.path.startswith(API_PREFIX + "/"))


def api_language() -> str:
    """The client's language from ``Accept-Language`` (the API has no signed-in user whose
    preference would win), English by default."""
    return request.accept_languages.best_match(LANGUAGES) or "en"


class ApiError(Exception):
    """A refusal raised by the API's own checks, answered as a problem document."""

    def __init__(self, status: int, detail_key: str, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None, **params: Any) -> None:
        super().__init__(detail_key)
        self.status = status
        self.detail_key = detail_key
        self.params = params
        self.headers = headers or {}
        self.extra = extra or {}


def problem(status: int, detail: str, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    kind = KINDS.get(status, KINDS[500] if status >= 500 else KINDS[400])
    body = {"type": PROBLEM_TYPES + kind,
            "title": translate(f"api.problem.{kind}", api_language()),
            "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def api_problem(error: ApiError) -> Response:
    return problem(error.status, translate(error.detail_key, api_language(), **error.params),
                   error.headers, **error.extra)


def http_problem(error: HTTPException) -> Response:
    """Flask's own errors (no such route, wrong method, body too large, a crash: 500)."""
    status = error.code or 500
    kind = KINDS.get(status, KINDS[500] if status >= 500 else KINDS[400])
    allowed = getattr(error, "valid_methods", None)
    headers = {"Allow": ", ".join(allowed)} if allowed else None
    return problem(status, translate(f"api.detail.{kind}", api_language()), headers)


def engine_problem(error: AmlScreenError) -> Response:
    """A store or engine refusal (unknown alert, stale version, bad transition)."""
    return problem(int(getattr(error, "http_status", 400)), error.message(api_language()),
                   code=error.key)
