"""What the API reads and writes, as marshmallow schemas: request schemas check the input
(a refusal lists every field in a 422 problem), response schemas shape the output, and
both are described in the OpenAPI document from these same classes (``web.api.spec``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from aml_screen.store.alert_filter import OPEN, SORTS
from aml_screen.store.ids import MAX_ID
from aml_screen.store.models import ALERT_STATUSES, DISPOSITIONS
from aml_screen.store.triage import MAX_COMMENT
from web.api.cursor import CursorField

ROW_ID = validate.Range(min=1, max=MAX_ID)
MAX_PAGE = 200
MAX_QUARANTINE_PAGE = 500
MAX_CANDIDATES = 100


def attributes(source: object, schema: type[Schema]) -> dict[str, Any]:
    """``source``'s attributes named as ``schema``'s fields (those it has)."""
    return {name: getattr(source, name) for name in _field_names(schema)
            if hasattr(source, name)}


@cache
def _field_names(schema: type[Schema]) -> tuple[str, ...]:
    """Instantiating a marshmallow schema deep-copies its fields: doing it once per alert
    of a page was half of an alert listing's time."""
    return tuple(schema().fields)


class Strict(Schema):
    class Meta:
        unknown = RAISE
        """A misspelt parameter is refused (422), not silently ignored."""


# Requests


class AlertQuery(Strict):
    """The queue's filters (``web.alerts.filters``), one page at a time by key."""

    status = fields.String(load_default=OPEN,
                           validate=validate.OneOf([OPEN, "all", *ALERT_STATUSES]),
                           metadata={"description": "open = every status but closed"})
    min_risk = fields.Float(validate=validate.Range(min=0, max=100))
    max_risk = fields.Float(validate=validate.Range(min=0, max=100))
    typology = fields.String(validate=validate.Length(max=120))
    list_id = fields.String(data_key="list", validate=validate.Length(max=120))
    rule_id = fields.String(data_key="rule", validate=validate.Length(max=120))
    country = fields.String(validate=validate.Length(max=80))
    batch = fields.Integer(validate=ROW_ID)
    created_from = fields.Date(data_key="from")
    created_to = fields.Date(data_key="to")
    assignee = fields.String(validate=validate.Length(max=80), metadata={
        "description": "a user name, me, or none (unassigned)"})
    sort = fields.String(load_default="-risk", validate=validate.OneOf(list(SORTS)))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))
    after = CursorField(metadata={"description": "next_cursor of the previous page"})

    @validates_schema
    def _cursor_matches_sort(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if "after" in data and data["after"][0] != data["sort"]:
            raise ValidationError("This cursor belongs to another sort.", "after")


class TransitionBody(Strict):
    status = fields.String(required=True, validate=validate.OneOf(ALERT_STATUSES))
    version = fields.Integer(required=True, validate=ROW_ID, metadata={
        "description": "the alert's version as last read (optimistic locking)"})
    disposition = fields.String(allow_none=True, validate=validate.OneOf(DISPOSITIONS),
                                metadata={"description": "required to close"})
    comment = fields.String(allow_none=True, validate=validate.Length(max=MAX_COMMENT),
                            metadata={"description": "the reason, required to close; "
                                                     "otherwise added as a comment"})


class QuarantineQuery(Strict):
    after = fields.Integer(validate=ROW_ID, metadata={"description": "next_after of the "
                                                                     "previous page"})
    limit = fields.Integer(load_default=100,
                           validate=validate.Range(min=1, max=MAX_QUARANTINE_PAGE))


class MatchBody(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    birth_date = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\d{4}(-\d{2}-\d{2})?$", error="A year or a date, yyyy or yyyy-mm-dd."))
    nationality = fields.String(allow_none=True, validate=validate.Length(max=80),
                                metadata={"description": "ISO 3166 code or country name"})
    id_number = fields.String(allow_none=True, validate=validate.Length(max=80))
    min_score = fields.Float(load_default=70.0, validate=validate.Range(min=1, max=100))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_CANDIDATES))


# Responses


class FieldError(Schema):
    field = fields.String()
    message = fields.String()


class Problem(Schema):
    """RFC 9457 problem document."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(metadata={"description": "the message key of an engine refusal"})
    errors = fields.List(fields.Nested(FieldError), metadata={
        "description": "every field refused (422)"})


class AlertSummary(Schema):
    id = fields.Integer()
    alert_key = fields.String()
    batch_id = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.String()
    subject_name = fields.String()
    risk_score = fields.Float()
    max_match_score = fields.Float(allow_none=True)
    hit_count = fields.Integer()
    rule_ids = fields.List(fields.String())
    list_ids = fields.List(fields.String())
    typologies = fields.List(fields.String())
    status = fields.String()
    disposition = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class AlertPage(Schema):
    items = fields.List(fields.Nested(AlertSummary))
    next_cursor = fields.String(allow_none=True, metadata={
        "description": "pass as after= for the next page; null on the last page"})


class ListedEntry(Schema):
    list_id = fields.String()
    list_version = fields.String()
    entry_id = fields.String()
    entity_type = fields.String(allow_none=True)
    names = fields.List(fields.Dict())
    birth_dates = fields.List(fields.String())
    nationalities = fields.List(fields.String())
    countries = fields.List(fields.String())
    programmes = fields.List(fields.String())
    listed_on = fields.Date(allow_none=True)
    remarks = fields.String(allow_none=True)


class Hit(Schema):
    id = fields.Integer()
    transaction_id = fields.String()
    party_role = fields.String()
    party_name = fields.String()
    list_id = fields.String()
    list_version = fields.String()
    entry_id = fields.String()
    matched_name = fields.String()
    name_kind = fields.String()
    entity_type = fields.String(allow_none=True)
    programmes = fields.List(fields.String())
    topics = fields.List(fields.String())
    score = fields.Float()
    explanation = fields.Dict()
    entry = fields.Nested(ListedEntry, allow_none=True)


class RuleHit(Schema):
    id = fields.Integer()
    rule_id = fields.String()
    typology = fields.String()
    severity_score = fields.Float()
    subject_type = fields.String()
    subject_id = fields.String()
    subject_name = fields.String(allow_none=True)
    transaction_ids = fields.List(fields.String())
    window_start = fields.DateTime(allow_none=True)
    window_end = fields.DateTime(allow_none=True)
    evidence = fields.Dict()


class TransactionBrief(Schema):
    transaction_id = fields.String()
    booked_at = fields.DateTime(allow_none=True)
    amount = fields.Decimal(as_string=True, allow_none=True)
    currency = fields.String(allow_none=True)
    originator_name = fields.String(allow_none=True)
    originator_account = fields.String(allow_none=True)
    originator_country = fields.String(allow_none=True)
    beneficiary_name = fields.String(allow_none=True)
    beneficiary_account = fields.String(allow_none=True)
    beneficiary_country = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)


class CommentOut(Schema):
    author = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class AlertDetail(AlertSummary):
    close_reason = fields.String(allow_none=True)
    reasons = fields.List(fields.Dict())
    transaction_ids = fields.List(fields.String())
    transactions = fields.List(fields.Nested(TransactionBrief))
    hits = fields.List(fields.Nested(Hit))
    rule_hits = fields.List(fields.Nested(RuleHit))
    comments = fields.List(fields.Nested(CommentOut))


class Progress(Schema):
    stage = fields.String(allow_none=True)
    done = fields.Integer()
    total = fields.Integer(allow_none=True)


class BatchOut(Schema):
    id = fields.Integer()
    file_name = fields.String()
    label = fields.String(allow_none=True)
    sha256 = fields.String()
    size_bytes = fields.Integer()
    uploaded_by = fields.String(allow_none=True)
    uploaded_at = fields.DateTime()
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    error = fields.String(allow_none=True)
    progress = fields.Nested(Progress)
    rows_read = fields.Integer(allow_none=True)
    rows_loaded = fields.Integer(allow_none=True)
    rows_quarantined = fields.Integer(allow_none=True)
    list_versions = fields.List(fields.Dict(), allow_none=True)
    rule_digest = fields.String(allow_none=True)
    summary = fields.Dict(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class QuarantineRow(Schema):
    id = fields.Integer()
    line_number = fields.Integer(allow_none=True)
    transaction_id = fields.String(allow_none=True)
    reason_code = fields.String()
    reason = fields.String()
    raw = fields.String(allow_none=True)
    repeats = fields.Integer()


class QuarantinePage(Schema):
    items = fields.List(fields.Nested(QuarantineRow))
    next_after = fields.Integer(allow_none=True, metadata={
        "description": "pass as after= for the next page; null on the last page"})


class ListVersion(Schema):
    sha256 = fields.String()
    retrieved_at = fields.String()
    version_date = fields.String(allow_none=True)
    entries = fields.Integer()
    names = fields.Integer()


class ListSource(Schema):
    id = fields.String()
    title = fields.String()
    format = fields.String()
    screened = fields.Boolean(metadata={"description": "screened by the next batch"})
    downloadable = fields.Boolean()
    sha256 = fields.String(allow_none=True, metadata={"description": "a bundled file's"})
    versions = fields.List(fields.Nested(ListVersion), metadata={
        "description": "stored downloads, the current one first"})


class LatestBatch(Schema):
    id = fields.Integer()
    file_name = fields.String()
    finished_at = fields.DateTime(allow_none=True)
    list_versions = fields.List(fields.Dict())


class Lists(Schema):
    sources = fields.List(fields.Nested(ListSource))
    latest_batch = fields.Nested(LatestBatch, allow_none=True, metadata={
        "description": "the list versions the last screened batch used"})


class Candidate(Schema):
    list_id = fields.String()
    list_version = fields.String()
    entry_id = fields.String()
    matched_name = fields.String()
    name_kind = fields.String()
    entity_type = fields.String(allow_none=True)
    programmes = fields.List(fields.String())
    score = fields.Float()
    explanation = fields.Dict()


class MatchResult(Schema):
    candidates = fields.List(fields.Nested(Candidate))
