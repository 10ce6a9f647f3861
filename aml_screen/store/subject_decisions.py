"""Investigators' decisions on subjects: merge two subjects into one, or split records off a
subject into a new one — each with a reason, audited, and respected by every later batch.

Both run under the resolution lock (``subjects.locked_state``), so no batch resolves
against a half-changed store, and move the resolution state on, so a batch computed before
is computed again. A merge renames one subject into the other everywhere and adds an
``investigator_merge`` link; a split moves the chosen records (a transaction side each) to
a new subject, drops the links that tied them to the rest, rebuilds both subjects' summary
rows from their records, ties their alerts again, and records a ``different`` decision:
resolution never joins the two again, whatever later evidence says (``kept_apart``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import polars as pl
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.copy_out import IN_CHUNK
from aml_screen.store.errors import NotFoundError, SubjectDecisionError
from aml_screen.store.models import (
    Alert,
    AlertSubject,
    PartySubject,
    Subject,
    SubjectCounterparty,
    SubjectDecision,
    SubjectHub,
    SubjectIdentifier,
    SubjectLink,
    SubjectProfile,
    Transaction,
    User,
)
from aml_screen.store.subject_search import current_subject
from aml_screen.store.subjects import (
    batch_records,
    insert_summaries,
    locked_state,
    rename_subjects,
    spelling_of,
)
from aml_screen.subjects.known import HUBS

MAX_REASON = 2000
Party = tuple[int, str, str]
"""A transaction side: (batch id, transaction id, party role)."""
_PARTY_COLUMNS = ("originator_name", "originator_account", "originator_country",
                  "beneficiary_name", "beneficiary_account", "beneficiary_country",
                  "originator_birth_date", "originator_nationality", "originator_id_number",
                  "originator_phone", "beneficiary_birth_date", "beneficiary_nationality",
                  "beneficiary_id_number", "beneficiary_phone")


def _reason(text: str) -> str:
    reason = text.strip()[:MAX_REASON]
    if not reason:
        raise SubjectDecisionError("subjects.reason_required")
    return reason


def _existing(session: Session, subject_id: str) -> Subject:
    current = current_subject(session, subject_id)
    if current is None:
        raise NotFoundError("subject.not_found", subject_id=subject_id)
    return session.get_one(Subject, current)


def merge_subjects(session: Session, actor: User, keep_id: str, other_id: str,
                   reason: str) -> Subject:
    """Make ``other_id`` part of ``keep_id``; returns the subject kept."""
    why = _reason(reason)
    state = locked_state(session)
    keep, other = _existing(session, keep_id), _existing(session, other_id)
    if keep.id == other.id:
        raise SubjectDecisionError("subjects.merge_same", subject_id=keep.id)
    records = keep.records + other.records
    merged_id = other.id
    rename_subjects(session, None, pl.DataFrame({"subject_id": [merged_id],
                                                 "into": [keep.id]}))
    keep.records, keep.updated_at = records, utcnow()
    session.add(SubjectLink(subject_id=keep.id, batch_id=None, left=keep.id, right=merged_id,
                            code="investigator_merge",
                            params=json.dumps({"reason": why}, ensure_ascii=False)))
    # A "different" decision between the two (renamed above to name ``keep`` twice) is
    # overruled by this one.
    session.execute(delete(SubjectDecision).where(SubjectDecision.left == keep.id,
                                                  SubjectDecision.right == keep.id))
    session.add(SubjectDecision(left=keep.id, right=merged_id, decision="same", reason=why,
                                decided_by_id=actor.id))
    state.generation += 1
    record(session, actor, "subject.merge", "subject", keep.id,
           after={"merged": merged_id, "records": records, "reason": why})
    return keep


def split_subject(session: Session, actor: User, subject_id: str, parties: Sequence[Party],
                  reason: str) -> Subject:
    """Move ``parties`` (sides of transactions now in ``subject_id``) to a new subject that
    resolution keeps apart from it; returns the new subject."""
    why = _reason(reason)
    state = locked_state(session)
    subject = _existing(session, subject_id)
    moving = _held(session, subject.id, parties)
    if moving.is_empty():
        raise SubjectDecisionError("subjects.split_nothing", subject_id=subject.id)
    if moving.height >= subject.records:
        raise SubjectDecisionError("subjects.split_all", subject_id=subject.id)
    first = moving.row(0)
    new_id = "S" + hashlib.blake2b(
        f"split|{subject.id}|{first}|{utcnow().isoformat()}".encode(),
        digest_size=8).hexdigest()
    move_parties(session, moving.with_columns(subject_id=pl.lit(new_id)))
    refs = [f"{b}|{t}|{r}" for b, t, r in moving.iter_rows()]
    for start in range(0, len(refs), IN_CHUNK):
        chunk = refs[start:start + IN_CHUNK]
        session.execute(delete(SubjectLink).where(
            SubjectLink.subject_id == subject.id,
            or_(SubjectLink.left.in_(chunk), SubjectLink.right.in_(chunk))))
    created = Subject(id=new_id, name=session.scalar(select(spelling_of(new_id))),
                      records=moving.height,
                      first_batch_id=int(moving.get_column("batch_id").min()))  # type: ignore[arg-type]
    session.add(created)
    subject.records -= moving.height
    subject.updated_at = utcnow()
    session.flush()
    rebuild_summaries(session, [subject.id, new_id])
    tie_alerts_again(session, subject.id, [new_id])
    session.add(SubjectDecision(left=subject.id, right=new_id, decision="different",
                                reason=why, decided_by_id=actor.id))
    state.generation += 1
    record(session, actor, "subject.split", "subject", subject.id,
           after={"into": new_id, "records": moving.height, "reason": why})
    return created


def _held(session: Session, subject_id: str, parties: Sequence[Party]) -> pl.DataFrame:
    """The ``parties`` that belong to ``subject_id`` now (others are ignored)."""
    wanted = pl.DataFrame(list(parties), schema={"batch_id": pl.Int64, "transaction_id":
                                                 pl.String, "party_role": pl.String},
                          orient="row").unique()
    held = pl.DataFrame(session.execute(select(
        PartySubject.batch_id, PartySubject.transaction_id, PartySubject.party_role).where(
        PartySubject.subject_id == subject_id)).all(),
        schema=wanted.schema, orient="row")
    return held.join(wanted, on=list(wanted.columns), how="semi").sort(list(wanted.columns))


def move_parties(session: Session, moves: pl.DataFrame) -> None:
    """Give each transaction side of ``moves`` (``batch_id``, ``transaction_id``,
    ``party_role``) its new ``subject_id``."""
    party = PartySubject.__table__
    session.execute(update(party).where(  # type: ignore[arg-type]
        party.c.batch_id == bindparam("b"), party.c.transaction_id == bindparam("t"),
        party.c.party_role == bindparam("r")).values(subject_id=bindparam("s")),
        [{"b": b, "t": t, "r": r, "s": s} for b, t, r, s in moves.select(
            pl.col("batch_id").cast(pl.Int64), "transaction_id", "party_role",
            "subject_id").iter_rows()])


def subject_records(session: Session, subject_ids: Sequence[str]) -> pl.DataFrame:
    """The prepared party records (``subjects.records``) of ``subject_ids``, made again
    from their stored transactions, with ``subject_id`` and ``batch_id``."""
    parties = pl.DataFrame(session.execute(select(
        PartySubject.batch_id, PartySubject.transaction_id, PartySubject.party_role,
        PartySubject.subject_id).where(PartySubject.subject_id.in_(list(subject_ids)))).all(),
        schema={"batch_id": pl.Int64, "transaction_id": pl.String, "party_role": pl.String,
                "subject_id": pl.String}, orient="row")
    columns = [Transaction.transaction_id, *(getattr(Transaction, c) for c in _PARTY_COLUMNS)]
    frames = []
    for (batch_id,), sides in parties.group_by("batch_id"):
        ids = sides.get_column("transaction_id").unique().sort().to_list()
        rows = [row for start in range(0, len(ids), IN_CHUNK) for row in session.execute(
            select(*columns).where(Transaction.batch_id == batch_id,
                                   Transaction.transaction_id.in_(ids[start:start + IN_CHUNK])))]
        transactions = pl.DataFrame(
            [tuple(r) for r in rows], orient="row",
            schema={"transaction_id": pl.String, **dict.fromkeys(_PARTY_COLUMNS, pl.String)})
        frames.append(batch_records(transactions, int(str(batch_id))).join(
            sides.select("transaction_id", "party_role", "subject_id"),
            on=["transaction_id", "party_role"]).with_columns(batch_id=pl.lit(batch_id)))
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def stored_hubs(session: Session) -> pl.DataFrame:
    return pl.DataFrame(session.execute(select(SubjectHub.space, SubjectHub.value,
                                               SubjectHub.names)).all(),
                        schema=HUBS, orient="row")


def rebuild_summaries(session: Session, subject_ids: list[str],
                      records: pl.DataFrame | None = None,
                      hubs: pl.DataFrame | None = None) -> None:
    """Replace the profile, identifier and counterparty rows of ``subject_ids`` with rows
    made from their ``records`` (``subject_records``; read again when not given)."""
    for model in (SubjectProfile, SubjectIdentifier, SubjectCounterparty):
        session.execute(delete(model).where(model.subject_id.in_(subject_ids)))
    records = subject_records(session, subject_ids) if records is None else records
    if not records.is_empty():
        insert_summaries(session, records, stored_hubs(session) if hubs is None else hubs)


def tie_alerts_again(session: Session, old_id: str, new_ids: Sequence[str]) -> None:
    """The alerts tied to ``old_id``, tied to whichever of it and ``new_ids`` now holds
    their transactions' sides."""
    alerts = session.execute(select(Alert.id, Alert.batch_id, Alert.transaction_ids).where(
        Alert.id.in_(select(AlertSubject.alert_id).where(
            AlertSubject.subject_id == old_id)))).all()
    for alert_id, batch_id, transaction_ids in alerts:
        holders = set(session.scalars(select(PartySubject.subject_id).distinct().where(
            PartySubject.batch_id == batch_id,
            PartySubject.transaction_id.in_(list(transaction_ids)),
            PartySubject.subject_id.in_([old_id, *new_ids]))))
        session.execute(delete(AlertSubject).where(AlertSubject.alert_id == alert_id,
                                                   AlertSubject.subject_id == old_id))
        session.add_all(AlertSubject(alert_id=alert_id, subject_id=holder)
                        for holder in sorted(holders))


def decisions_of(session: Session, subject_id: str) -> list[tuple[SubjectDecision, str]]:
    """The decisions naming ``subject_id``, newest first, with who took them."""
    return [(decision, name or "") for decision, name in session.execute(
        select(SubjectDecision, User.username).outerjoin(
            User, User.id == SubjectDecision.decided_by_id).where(
            or_(SubjectDecision.left == subject_id, SubjectDecision.right == subject_id))
        .order_by(SubjectDecision.id.desc()))]

