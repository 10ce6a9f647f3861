"""What the cases operations read and write (``web.api.cases``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from aml_screen.store.cases import MAX_TEXT
from aml_screen.store.models import CASE_STATUSES
from web.api.schemas import ROW_ID, AlertSummary, Strict

MAX_CASE_PAGE = 100
MAX_ALERTS_ADDED = 50


class CaseQuery(Strict):
    """The web's case list filters (``web.cases.views.parse_filter``), page by page."""

    status = fields.String(load_default="open",
                           validate=validate.OneOf(["all", *CASE_STATUSES]))
    assignee = fields.String(validate=validate.Length(max=80), metadata={
        "description": "a user name, me, or none (unassigned)"})
    subject = fields.String(validate=validate.Length(max=200), metadata={
        "description": "text in the subject's name or identifier, or in the title"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1,
                                                                       max=MAX_CASE_PAGE))


class AddAlertsBody(Strict):
    alert_ids = fields.List(fields.Integer(validate=ROW_ID), required=True,
                            validate=validate.Length(min=1, max=MAX_ALERTS_ADDED), metadata={
        "description": "alerts about the case's subject, added in this order"})
    version = fields.Integer(required=True, validate=ROW_ID, metadata={
        "description": "the case's version as last read (optimistic locking)"})


class NoteBody(Strict):
    body = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class CaseSummary(Schema):
    id = fields.Integer()
    title = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    subject_name = fields.String()
    status = fields.String()
    disposition = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    alerts = fields.Integer(metadata={"description": "how many alerts the case holds"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseSummary))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


class NoteOut(Schema):
    id = fields.Integer()
    author = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class PackageOut(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "prepared, approved or void"})
    case_version = fields.Integer()
    file_name = fields.String()
    sha256 = fields.String()
    size_bytes = fields.Integer()
    prepared_by = fields.String()
    prepared_at = fields.DateTime()
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)


class CaseDetail(CaseSummary):
    narrative = fields.String(allow_none=True)
    created_by = fields.String()
    alerts = fields.List(fields.Nested(AlertSummary))  # type: ignore[assignment]
    notes = fields.List(fields.Nested(NoteOut))
    packages = fields.List(fields.Nested(PackageOut), metadata={"description": "newest first"})


class Voided(Schema):
    id = fields.Integer()
    was = fields.String(metadata={"description": "prepared or approved"})


class CaseChange(Schema):
    """A change's answer: the case as saved, and the evidence packages it voided."""

    case = fields.Nested(CaseSummary)
    note = fields.Nested(NoteOut, allow_none=True)
    voided_packages = fields.List(fields.Nested(Voided), metadata={
        "description": "packages made from an earlier version of the case, voided now"})
    warning = fields.String(allow_none=True, metadata={
        "description": "said when an approved package was voided, in the language of "
                       "Accept-Language"})
