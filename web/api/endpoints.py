"""One declaration per API operation (``operation``): its route, the scope and web
permission it needs, the schemas of its query, body (JSON, or a multipart ``form``) and
response, its success status and the problems it may answer. The declaration routes the
request and checks it, and the OpenAPI document is built from the same list
(``OPERATIONS``), so the two cannot drift."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, json, request
from marshmallow import Schema, ValidationError

from aml_screen.i18n import translate
from web.api.access import authorise
from web.api.problems import API_PREFIX, ApiError, api_language
from web.security import PERMISSION_ATTR, PUBLIC

F = TypeVar("F", bound=Callable[..., Any])
_PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Operation:
    rule: str
    """The Flask rule under the blueprint (``/alerts/<id:alert_id>``)."""
    method: str
    name: str
    description: str
    scope: str | None
    """None: answered without a token (the OpenAPI document itself)."""
    permission: str
    query: type[Schema] | None
    body: type[Schema] | None
    form: type[Schema] | None
    """A ``multipart/form-data`` body (a file upload) instead of JSON."""
    response: type[Schema] | None
    """None: a free-form JSON object."""
    status: int
    problems: tuple[int, ...]

    @property
    def summary_key(self) -> str:
        """The catalogue key of the operation's one-line summary (``api.op.<name>``): in
        English in the OpenAPI document, in the reader's language on the reference page."""
        return f"api.op.{self.name}"

    @property
    def summary(self) -> str:
        return translate(self.summary_key, "en")

    @property
    def path(self) -> str:
        """The OpenAPI path (``/api/v1/alerts/{alert_id}``)."""
        return API_PREFIX + _PATH_PARAM.sub(r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.rule)


OPERATIONS: list[Operation] = []


def _problems(rule: str, scope: str | None, query: type[Schema] | None,
              body: type[Schema] | None, form: type[Schema] | None,
              extra: tuple[int, ...]) -> tuple[int, ...]:
    found = set(extra)
    if scope is not None:
        found |= {401, 403, 429}
    if query is not None or body is not None or form is not None:
        found.add(422)
    if body is not None:
        found.add(400)
    if form is not None:
        found |= {413, 415}
    if _PATH_PARAM.search(rule):
        found.add(404)
    return tuple(sorted(found))


def field_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested error messages as one ``{field, message}`` per message."""
    if isinstance(messages, dict):
        return [error for key, value in messages.items()
                for error in field_errors(value, f"{prefix}{key}" if not prefix
                                          else f"{prefix}.{key}")]
    if isinstance(messages, list):
        return [error for value in messages for error in field_errors(value, prefix)]
    return [{"field": prefix or "_body", "message": str(messages)}]


def _nul_fields(value: Any, prefix: str = "") -> dict[str, list[str]]:
    """Fields whose text holds a NUL character: PostgreSQL stores no such text (a note or
    a name with one would fail when written), so it is refused at the door."""
    if isinstance(value, str):
        if "\x00" not in value:
            return {}
        return {prefix or "_body": [translate("api.field.nul", api_language())]}
    if isinstance(value, dict):
        items = [(f"{prefix}.{key}" if prefix else str(key), inner)
                 for key, inner in value.items()]
    elif isinstance(value, list | tuple):
        items = [(f"{prefix}.{index}" if prefix else str(index), inner)
                 for index, inner in enumerate(value)]
    else:
        return {}
    return {field: message for name, inner in items
            for field, message in _nul_fields(inner, name).items()}


def _load(schema: Schema, data: Any) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise ApiError(422, "api.detail.invalid",
                       extra={"errors": field_errors(exc.messages)}) from None
    refused = _nul_fields(loaded)
    if refused:
        raise ApiError(422, "api.detail.invalid", extra={"errors": field_errors(refused)})
    return loaded


def _json_body() -> Any:
    """The request's JSON (an empty body is an empty object, so the missing fields are
    listed); anything that is not JSON is a 400."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    found = request.get_json(force=True, silent=True)
    if found is None:
        raise ApiError(400, "api.detail.bad_json")
    return found


def _form() -> dict[str, Any]:
    """A multipart body's fields and files (one value each); any other content type is a
    415. Reading it past ``MAX_CONTENT_LENGTH`` is a 413 (answered by ``errors``)."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "api.detail.multipart")
    return {**request.form.to_dict(), **request.files.to_dict()}


@dataclass(frozen=True)
class Answer:
    """What a view returns when its answer carries headers (the ``Location`` of a
    resource it created) beside the body ``response`` dumps."""

    body: Any
    headers: dict[str, str]


def _respond(data: Any, status: int, headers: dict[str, str]) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False), status=status,
                        mimetype="application/json")
    response.headers.update(headers)
    return response


def operation(bp: Blueprint, rule: str, method: str, *, permission: str = PUBLIC,
              scope: str | None = None, query: type[Schema] | None = None,
              body: type[Schema] | None = None, form: type[Schema] | None = None,
              response: type[Schema] | None = None, status: int = 200,
              problems: tuple[int, ...] = ()) -> Callable[[F], F]:
    """Route ``view`` as one API operation. The view receives its path parameters, then
    ``query=`` and ``body=`` (loaded dicts; a ``form`` is given as ``body=`` too) when
    declared, and returns what ``response`` dumps, or an ``Answer`` of it with headers.
    Its summary is the catalogue's ``api.op.<view name>``; the docstring's lines after
    the first are the operation's description."""

    def decorate(view: F) -> F:
        _, _, description = (view.__doc__ or "").strip().partition("\n")
        OPERATIONS.append(Operation(
            rule=rule, method=method.lower(), name=view.__name__,
            description=" ".join(description.split()), scope=scope, permission=permission,
            query=query, body=body, form=form, response=response, status=status,
            problems=_problems(rule, scope, query, body, form, problems)))

        @wraps(view)
        def handle(**path: Any) -> Response:
            if scope is not None:
                authorise(scope, permission)
            arguments = dict(path)
            if query is not None:
                arguments["query"] = _load(query(), request.args.to_dict())
            if body is not None:
                arguments["body"] = _load(body(), _json_body())
            if form is not None:
                arguments["body"] = _load(form(), _form())
            result = view(**arguments)
            headers: dict[str, str] = {}
            if isinstance(result, Answer):
                result, headers = result.body, result.headers
            return _respond(response().dump(result) if response is not None else result,
                            status, headers)

        setattr(handle, PERMISSION_ATTR, permission)
        bp.add_url_rule(rule, view.__name__, handle, methods=[method.upper()])
        return view

    return decorate
