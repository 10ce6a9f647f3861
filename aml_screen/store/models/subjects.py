"""Subjects: the persons and organisations the parties of every stored batch resolve to.

The tables hold what ``aml_screen.subjects`` needs to resolve the next batch against all
earlier ones (``subjects.known``: profiles, identifiers, counterparties, hubs, token counts)
and what investigators read (each party's subject, the links with their reasons). The
summary tables are append-only: a batch adds its rows, and readers sum ``records`` and drop
repeats, so a merge is one ``UPDATE … SET subject_id`` per table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aml_screen.store.base import Base, UTCDateTime, utcnow

SUBJECT_ID_LENGTH = 20


class Subject(Base):
    """One person or organisation as far as the data shows."""

    __tablename__ = "subjects"

    id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    """The first spelling seen."""
    records: Mapped[int] = mapped_column(Integer, default=0)
    """How many party records (transaction sides) the subject holds."""
    first_batch_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartySubject(Base):
    """The subject of one side of one stored transaction."""

    __tablename__ = "party_subjects"
    __table_args__ = (Index("ix_party_subjects_subject", "subject_id", "batch_id"),)

    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    party_role: Mapped[str] = mapped_column(String(12), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH))


class SubjectProfile(Base):
    """A (name key, birth date, nationality, ID number) a subject's records showed."""

    __tablename__ = "subject_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    """The batch that showed it (retention removes a purged batch's rows)."""
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    name_key: Mapped[str] = mapped_column(Text, index=True)
    birth_date: Mapped[str | None] = mapped_column(String(10), index=True)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(String(2))
    id_number: Mapped[str | None] = mapped_column(String(80))


class SubjectIdentifier(Base):
    """An ID number, phone or account a subject's records carried under one name key."""

    __tablename__ = "subject_identifiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    """The batch that showed it (retention removes a purged batch's rows)."""
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    value: Mapped[str] = mapped_column(String(120), index=True)
    name_key: Mapped[str | None] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer, default=1)


class SubjectCounterparty(Base):
    """An account a subject's records paid or were paid by, under one name key."""

    __tablename__ = "subject_counterparties"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"),
                                          index=True)
    """The batch that showed it (retention removes a purged batch's rows)."""
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    name_key: Mapped[str] = mapped_column(Text)
    counterparty: Mapped[str] = mapped_column(String(120), index=True)
    account: Mapped[str | None] = mapped_column(String(120))
    records: Mapped[int] = mapped_column(Integer, default=1)


class AlertSubject(Base):
    """A subject an alert is about (the parties of its transactions it names)."""

    __tablename__ = "alert_subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"),
                                          index=True)
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)


class SubjectHub(Base):
    """An identifier or counterparty used under too many names to say who anyone is."""

    __tablename__ = "subject_hubs"

    space: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)
    names: Mapped[int] = mapped_column(Integer)


class SubjectToken(Base):
    """In how many distinct name keys a name token occurs (what makes a name rare)."""

    __tablename__ = "subject_tokens"

    skeleton: Mapped[str] = mapped_column(Text, primary_key=True)
    df: Mapped[int] = mapped_column(Integer)


class SubjectNameToken(Base):
    """Each token of each name key stored: what search finds candidate names by."""

    __tablename__ = "subject_name_tokens"

    skeleton: Mapped[str] = mapped_column(Text, primary_key=True)
    name_key: Mapped[str] = mapped_column(Text, primary_key=True)


class SubjectLink(Base):
    """Why two records (or a record and a known subject) are one subject: a reason code
    and its parameters (JSON), put into words where shown (``subjects.describe``)."""

    __tablename__ = "subject_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    """The batch whose resolution made the link; None for an investigator's merge."""
    left: Mapped[str] = mapped_column(Text)
    right: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(40))
    params: Mapped[str | None] = mapped_column(Text)


class SubjectMerge(Base):
    """A subject absorbed into another when a batch showed they are one (old links and
    bookmarks to it lead to the one it became)."""

    __tablename__ = "subject_merges"

    subject_id: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), primary_key=True)
    into: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batches.id", ondelete="SET NULL"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubjectDecision(Base):
    """An investigator's decision: subjects ``left`` and ``right`` are one (``same``: they
    were merged) or two (``different``: records were split off ``left`` into ``right``);
    resolution never joins the two sides of a ``different`` decision again."""

    __tablename__ = "subject_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    left: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    right: Mapped[str] = mapped_column(String(SUBJECT_ID_LENGTH), index=True)
    decision: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubjectState(Base):
    """One row: the resolution's counters. ``generation`` grows with every resolved
    batch, so a resolution computed on an older state is redone (``store/subjects.py``)."""

    __tablename__ = "subject_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    key_count: Mapped[int] = mapped_column(Integer, default=0)
    """Distinct name keys over every batch (the denominator of token weights)."""
