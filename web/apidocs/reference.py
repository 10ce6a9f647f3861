"""The OpenAPI document (``web.api.spec``) read into what the reference page lists for each
operation: method, path, scope, parameters, request body fields and responses. Schemas are
followed through their ``$ref``; a field's type and bounds are kept as the document writes
them (codes, shown as code), its words are the page's (``web/templates/apidocs``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from web.api.problems import KINDS

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
_CODE_SPAN = re.compile(r"``(.+?)``|`(.+?)`")


@dataclass(frozen=True)
class Field:
    name: str
    where: str
    """``path``, ``query`` or ``body``."""
    type: str
    required: bool
    bounds: str
    """Range, length or pattern, as written in the document (``1..200``)."""
    choices: tuple[str, ...]
    default: str | None
    description: str


@dataclass(frozen=True)
class Reply:
    status: str
    kind: str | None
    """The problem kind (``KINDS``) of an error status; None for the success."""
    schema: str | None


Span = tuple[str, bool]
"""A piece of a description: its text, and whether it is code (written ```x``` or ``x``)."""


def spans(text: str) -> list[Span]:
    found: list[Span] = []
    at = 0
    for match in _CODE_SPAN.finditer(text):
        found += [(text[at:match.start()], False), (match[1] or match[2], True)]
        at = match.end()
    return [span for span in [*found, (text[at:], False)] if span[0]]


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    name: str
    scope: str | None
    description: list[Span]
    parameters: list[Field]
    media: str | None
    """The request body's content type, when there is one."""
    body: list[Field]
    replies: list[Reply]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def _type(document: dict[str, Any], schema: dict[str, Any]) -> str:
    schema = _resolve(document, schema) if "$ref" in schema else schema
    kind = str(schema.get("type", "object"))
    if kind == "array":
        return f"array[{_type(document, schema.get('items', {}))}]"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _bounds(schema: dict[str, Any]) -> str:
    parts = []
    for low, high in (("minimum", "maximum"), ("minLength", "maxLength"),
                      ("minItems", "maxItems")):
        if low in schema or high in schema:
            parts.append(f"{schema.get(low, '')}..{schema.get(high, '')}")
    if "pattern" in schema:
        parts.append(str(schema["pattern"]))
    return " ".join(parts)


def _field(document: dict[str, Any], name: str, where: str, schema: dict[str, Any],
           required: bool, description: str = "") -> Field:
    default = schema.get("default")
    return Field(name=name, where=where, type=_type(document, schema), required=required,
                 bounds=_bounds(schema), choices=tuple(str(c) for c in schema.get("enum", ())),
                 default=None if default is None else str(default),
                 description=description or str(schema.get("description", "")))


def _body(document: dict[str, Any], spec: dict[str, Any]) -> tuple[str | None, list[Field]]:
    content = spec.get("requestBody", {}).get("content", {})
    if not content:
        return None, []
    media, found = next(iter(content.items()))
    schema = _resolve(document, found["schema"])
    required = set(schema.get("required", ()))
    return media, [_field(document, name, "body", prop, name in required)
                   for name, prop in schema.get("properties", {}).items()]


def _replies(spec: dict[str, Any]) -> list[Reply]:
    kinds = {str(status): kind for status, kind in KINDS.items()}
    replies = []
    for status, reply in sorted(spec["responses"].items()):
        media: dict[str, Any] = next(iter(reply.get("content", {}).values()), {})
        schema = media.get("schema", {})
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        replies.append(Reply(status=status,
                             kind=None if status.startswith("2") else kinds.get(status),
                             schema=ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None))
    return replies


def entries(document: dict[str, Any]) -> list[Entry]:
    """Every operation of ``document``, by path then method."""
    found = []
    for path, operations in sorted(document["paths"].items()):
        for method in sorted(operations, key=METHOD_ORDER.index):
            spec = operations[method]
            media, body = _body(document, spec)
            found.append(Entry(
                method=method.upper(), path=path, name=spec["operationId"],
                scope=spec.get("x-scope"), description=spans(spec.get("description", "")),
                parameters=[_field(document, p["name"], p["in"], p.get("schema", {}),
                                   bool(p.get("required")), p.get("description", ""))
                            for p in spec.get("parameters", ())],
                media=media, body=body, replies=_replies(spec)))
    return found
