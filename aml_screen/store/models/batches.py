"""A batch file as received, its screening job's state, its transactions and quarantine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.schema import AMOUNT_SCALE
from aml_screen.store.base import Base, UTCDateTime, utcnow

BATCH_STATUSES = ("queued", "running", "done", "failed")


class Batch(Base):
    """One uploaded file. ``sha256`` is unique: the same file uploaded twice is one batch."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(200))
    """Given when the batch was loaded (``aml-screen load --label``): the report or request
    it answers."""
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error_key: Mapped[str | None] = mapped_column(String(120))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress_label: Mapped[str | None] = mapped_column(String(200))
    """The stage under way, as a message key (filled with ``progress_params``)."""
    progress_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    batch_key: Mapped[str | None] = mapped_column(String(64))
    rows_read: Mapped[int | None] = mapped_column(Integer)
    rows_loaded: Mapped[int | None] = mapped_column(Integer)
    rows_quarantined: Mapped[int | None] = mapped_column(Integer)
    list_versions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    rule_digest: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the job was last (re)queued."""
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Last sign of life of the worker running the job (see ``store/jobs.py``)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times the job was started since it was last queued by a person."""
    claim_token: Mapped[str | None] = mapped_column(String(32))
    """The running attempt's token: only the worker holding it may write the job's results."""
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set when retention removed the batch's personal data (transactions, quarantine)."""


class Rescreen(Base):
    """A stored batch screened again against newer list versions; only hits the batch did
    not already have become alerts (``Alert.rescreen_id``)."""

    __tablename__ = "rescreens"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    list_versions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    new_hits: Mapped[int | None] = mapped_column(Integer)
    new_alerts: Mapped[int | None] = mapped_column(Integer)
    error_key: Mapped[str | None] = mapped_column(String(120))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the job was last (re)queued."""
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Last sign of life of the worker running the job (see ``store/jobs.py``)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times the job was started since it was last queued by a person."""
    claim_token: Mapped[str | None] = mapped_column(String(32))
    """The running attempt's token: only the worker holding it may write the job's results."""
    delta_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_deltas.id", ondelete="SET NULL"), index=True)
    """The delta re-screen (``ListDelta``) that found this batch's new hits, if one did."""


class PartyName(Base):
    """Each distinct party name of the stored transactions, once: what a delta re-screen
    reads (in ``id`` order, in chunks) instead of every transaction. Written with the
    transactions; retention removes the names no stored transaction holds any more."""

    __tablename__ = "party_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class Transaction(Base):
    """A screened transaction of a batch (what the alert detail shows). Party names and
    accounts are indexed: the alert page reads a subject's activity across batches by them
    (``subject_activity``), which must not scan millions of rows per view."""

    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_batch_txn", "batch_id", "transaction_id"),
                      Index("ix_transactions_transaction_id", "transaction_id"),
                      Index("ix_transactions_report_id", "report_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    transaction_id: Mapped[str] = mapped_column(String(120))
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(38, AMOUNT_SCALE))
    currency: Mapped[str | None] = mapped_column(String(3))
    originator_name: Mapped[str | None] = mapped_column(Text, index=True)
    originator_account: Mapped[str | None] = mapped_column(String(120), index=True)
    originator_country: Mapped[str | None] = mapped_column(String(80))
    beneficiary_name: Mapped[str | None] = mapped_column(Text, index=True)
    beneficiary_account: Mapped[str | None] = mapped_column(String(120), index=True)
    beneficiary_country: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str | None] = mapped_column(Text)
    source_line: Mapped[int | None] = mapped_column(Integer)
    originator_birth_date: Mapped[str | None] = mapped_column(String(10))
    originator_nationality: Mapped[str | None] = mapped_column(String(2))
    originator_id_number: Mapped[str | None] = mapped_column(String(80))
    originator_phone: Mapped[str | None] = mapped_column(String(32))
    beneficiary_birth_date: Mapped[str | None] = mapped_column(String(10))
    beneficiary_nationality: Mapped[str | None] = mapped_column(String(2))
    beneficiary_id_number: Mapped[str | None] = mapped_column(String(80))
    beneficiary_phone: Mapped[str | None] = mapped_column(String(32))
    ingest_notes: Mapped[str | None] = mapped_column(Text)
    """Values of the row that could not be read and were left out (the row was screened)."""
    report_id: Mapped[str | None] = mapped_column(Text)
    """The reference of the report the transaction came in (goAML ``entity_reference``)."""
    reporting_entity: Mapped[str | None] = mapped_column(Text)
    report_code: Mapped[str | None] = mapped_column(Text)
    originator_bic: Mapped[str | None] = mapped_column(Text)
    beneficiary_bic: Mapped[str | None] = mapped_column(Text)


class QuarantineRow(Base):
    """A batch row that could not be screened, with its reason and original text."""

    __tablename__ = "quarantine_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    line_number: Mapped[int | None] = mapped_column(Integer)
    transaction_id: Mapped[str | None] = mapped_column(String(120))
    reason_code: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    """The reason in the language of the upload (rows stored before ``reason_params``)."""
    raw: Mapped[str | None] = mapped_column(Text)
    reason_params: Mapped[str | None] = mapped_column(Text)
    """JSON: the values the reason names, to tell it in the reader's language
    (``ingest.reasons.quarantine_reason``)."""
    repeats: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """How many rows of the file this one stands for (identical copies are kept once)."""
