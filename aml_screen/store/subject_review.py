"""Subjects resolved again when an identifier they were joined through turns out to be a hub.

An account or phone written under two or three names in a young store looks like a couple's
or a family's and joins them; when later batches show it under many names (a merchant's, an
agent's), it becomes a hub and links nothing any more — but the people it joined earlier
are still one subject. ``Resolution.review`` names those subjects; here each one's records
are resolved again on their own, with every hub known now, and when they fall apart the
largest part keeps the subject and each other part becomes a new one (its summary rows
rebuilt, its alerts tied again, an audit event from the system saying which hub did it).
Investigators' merges are links of their own and are kept.
"""

from __future__ import annotations

import hashlib

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.bulk import bulk_insert
from aml_screen.store.models import Subject, SubjectLink, SubjectToken
from aml_screen.store.subject_decisions import (
    move_parties,
    rebuild_summaries,
    stored_hubs,
    subject_records,
    tie_alerts_again,
)
from aml_screen.store.subjects import locked_state
from aml_screen.subjects.known import TOKENS, KnownSubjects
from aml_screen.subjects.resolve import resolve_prepared

REVIEW_LIMIT = 500
"""Subjects resolved again per batch at most (the largest first); the rest wait for the
next batch that shows the hub."""
REVIEW_RECORDS = 20_000
"""A subject with more records is left as it is (its records would not fit a review)."""


def review_subjects(session: Session, subject_ids: list[str]) -> int:
    """Resolve the records of ``subject_ids`` again; returns how many subjects were
    split."""
    if not subject_ids:
        return 0
    state = locked_state(session)
    sizes = dict(session.execute(select(Subject.id, Subject.records).where(
        Subject.id.in_(subject_ids))).all())
    chosen = sorted((sid for sid, n in sizes.items() if 1 < n <= REVIEW_RECORDS),
                    key=lambda sid: (-sizes[sid], sid))[:REVIEW_LIMIT]
    if not chosen:
        return 0
    hubs = stored_hubs(session)
    tokens = pl.DataFrame(session.execute(select(SubjectToken.skeleton,
                                                 SubjectToken.df)).all(),
                          schema=TOKENS, orient="row")
    known = KnownSubjects.empty()
    known = KnownSubjects(subjects=known.subjects, profiles=known.profiles,
                          identifiers=known.identifiers, counterparties=known.counterparties,
                          hubs=hubs, tokens=tokens, key_count=state.key_count)
    split = sum(_review_one(session, sid, known) for sid in chosen)
    if split:
        state.generation += 1
    return split


def _review_one(session: Session, subject_id: str, known: KnownSubjects) -> int:
    records = subject_records(session, [subject_id])
    if records.height < 2:
        return 0
    result = resolve_prepared(records.drop("subject_id").with_columns(
        batch_id=pl.col("batch_id").cast(pl.String)), known)
    parts = result.assignments.group_by("subject_id").agg(
        pl.len().alias("records"), pl.col("record_id").min().alias("first")).sort(
        ["records", "first"], descending=[True, False])
    if parts.height < 2:
        return 0
    final = {parts.item(0, "subject_id"): subject_id}
    for part, first in parts.slice(1).select("subject_id", "first").iter_rows():
        final[part] = "S" + hashlib.blake2b(f"review|{subject_id}|{first}".encode(),
                                           digest_size=8).hexdigest()
    moved = result.assignments.with_columns(subject_id=pl.col("subject_id").replace_strict(
        final)).filter(pl.col("subject_id") != subject_id)
    move_parties(session, moved)
    names = records.join(result.assignments.select("record_id", part="subject_id"),
                         on="record_id").group_by("part").agg(pl.col("name").drop_nulls()
                                                              .first())
    name_of = dict(names.iter_rows())
    new_ids = []
    for part, n in parts.select("subject_id", "records").iter_rows():
        if final[part] == subject_id:
            session.get_one(Subject, subject_id).records = n
            continue
        new_ids.append(final[part])
        session.add(Subject(id=final[part], name=name_of.get(part), records=n,
                            first_batch_id=int(str(moved.filter(
                                pl.col("subject_id") == final[part]).get_column(
                                "batch_id").cast(pl.Int64).min())),
                            updated_at=utcnow()))
    session.execute(delete(SubjectLink).where(SubjectLink.subject_id == subject_id,
                                              SubjectLink.batch_id.is_not(None)))
    session.flush()
    links = result.links.with_columns(
        subject_id=pl.col("subject_id").replace_strict(final),
        batch_id=pl.col("right").str.split("|").list.first().cast(pl.Int64))
    bulk_insert(session, SubjectLink, links.select("subject_id", "batch_id", "left", "right",
                                                   "code", "params"))
    # The records just read, each under the subject it went to: nothing is read again.
    regrouped = records.drop("subject_id").join(
        result.assignments.select("record_id", subject_id=pl.col("subject_id")
                                  .replace_strict(final)), on="record_id")
    rebuild_summaries(session, [subject_id, *new_ids], regrouped, known.hubs)
    tie_alerts_again(session, subject_id, new_ids)
    record(session, None, "subject.review", "subject", subject_id,
           after={"split_into": new_ids, "records": records.height})
    return 1
