"""The plain data a package is built from: copies of what the store holds, so building the
ZIP needs no database and the same data always gives the same bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CaseInfo:
    id: int
    version: int
    title: str
    subject_type: str
    subject_id: str
    subject_name: str
    status: str
    disposition: str | None
    narrative: str | None


@dataclass(frozen=True)
class AlertInfo:
    id: int
    alert_key: str
    batch_id: int
    risk_score: float
    status: str
    disposition: str | None
    close_reason: str | None
    created_at: datetime


@dataclass(frozen=True)
class TransactionInfo:
    batch_id: int
    transaction_id: str
    booked_at: datetime | None
    amount: Decimal | None
    currency: str | None
    originator_name: str | None
    originator_account: str | None
    originator_country: str | None
    beneficiary_name: str | None
    beneficiary_account: str | None
    beneficiary_country: str | None
    channel: str | None
    purpose: str | None


@dataclass(frozen=True)
class HitInfo:
    alert_id: int
    transaction_id: str
    party_role: str
    party_name: str
    list_id: str
    list_version: str
    entry_id: str
    matched_name: str
    name_kind: str
    programmes: list[str]
    score: float
    explanation: dict[str, Any]


@dataclass(frozen=True)
class RuleHitInfo:
    alert_id: int
    rule_id: str
    typology: str
    severity_score: float
    transaction_ids: list[str]
    window_start: datetime | None
    window_end: datetime | None
    evidence: dict[str, Any]


@dataclass(frozen=True)
class ListedEntryInfo:
    list_id: str
    list_version: str
    entry_id: str
    entity_type: str | None
    names: list[dict[str, str]]
    birth_dates: list[str]
    nationalities: list[str]
    countries: list[str]
    programmes: list[str]
    listed_on: date | None
    remarks: str | None


@dataclass(frozen=True)
class AuditInfo:
    seq: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class NoteInfo:
    author: str
    created_at: datetime
    body: str


@dataclass(frozen=True)
class LinkNodeInfo:
    """A subject of the case subject's link chart (``hop`` 0 is the case's subject)."""

    subject_id: str
    name: str | None
    hop: int
    listed: bool
    alerted: bool


@dataclass(frozen=True)
class LinkInfo:
    """Money from ``source`` to ``target`` subject in one currency."""

    source: str
    target: str
    currency: str | None
    total: Decimal
    count: int


@dataclass(frozen=True)
class PackageInput:
    """Everything a package holds. ``prepared_at`` (UTC) also dates the ZIP entries and the
    PDF, so nothing in the bytes depends on when they are built."""

    case: CaseInfo
    prepared_by: str
    prepared_at: datetime
    language: str
    engine_version: str
    alerts: list[AlertInfo] = field(default_factory=list)
    transactions: list[TransactionInfo] = field(default_factory=list)
    hits: list[HitInfo] = field(default_factory=list)
    rule_hits: list[RuleHitInfo] = field(default_factory=list)
    listed_entries: list[ListedEntryInfo] = field(default_factory=list)
    audit_events: list[AuditInfo] = field(default_factory=list)
    notes: list[NoteInfo] = field(default_factory=list)
    link_nodes: list[LinkNodeInfo] = field(default_factory=list)
    links: list[LinkInfo] = field(default_factory=list)
    """The case subject's link chart (two hops), drawn as ``link_chart.svg``."""
