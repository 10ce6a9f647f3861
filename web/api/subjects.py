"""``GET /api/v1/subjects/search``: the search of ``aml-screen search QUERY --json`` and of
the web's search page (``store.subject_search``) — the subjects a name, an account, a
phone, an ID number, a transaction id or a report reference leads to, with the same fields
— audited as the web's search is."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from aml_screen.store.subject_search import MATCHED_ON, search_as
from web.api.blueprint import bp, caller_user
from web.api.endpoints import operation
from web.api.schemas import Strict
from web.services import services

MAX_QUERY = 200
MAX_SUBJECTS = 500
"""As ``aml-screen search --limit``."""


class SubjectQuery(Strict):
    q = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUERY),
                      metadata={"description": "a name, an account, a phone, an ID number, "
                                               "a transaction id or a report reference"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_SUBJECTS))


class Identifier(Schema):
    kind = fields.String()
    value = fields.String()


class SubjectFound(Schema):
    subject_id = fields.String()
    score = fields.Float()
    matched_on = fields.String(metadata={"description": "one of " + ", ".join(MATCHED_ON)})
    names = fields.List(fields.String())
    identifiers = fields.List(fields.Nested(Identifier))
    batches = fields.List(fields.Integer())
    records = fields.Integer()
    first_seen = fields.String(allow_none=True, metadata={"description": "ISO 8601"})
    last_seen = fields.String(allow_none=True, metadata={"description": "ISO 8601"})
    alerts = fields.Integer()
    cases = fields.Integer()


class SubjectResults(Schema):
    results = fields.List(fields.Nested(SubjectFound), metadata={"description": "best first"})


@operation(bp, "/subjects/search", "get", scope="read", permission="subjects.view",
           query=SubjectQuery, response=SubjectResults)
def search_subjects(query: dict[str, Any]) -> dict[str, Any]:
    """Find subjects across every stored batch, as ``aml-screen search --json`` does.

    Each result has the fields of the command's JSON output, best first.
    """
    with services().database.transaction() as db:
        found = search_as(db, caller_user(db), query["q"], query["limit"])
        return {"results": [result.as_json() for result in found]}
