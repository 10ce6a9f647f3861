"""Subject resolution in the store: the parties of each stored batch resolved against every
earlier batch, incrementally.

A batch's party records (``subjects.records``) are prepared once; the store reads only the
summary rows they can link to (``known_slice``: profiles of their name keys and birth dates,
identifiers of their values, counterparty rows of their counterparties, the subjects these
belong to, the hubs and token counts), ``subjects.resolve`` links them, and ``_write``
stores the batch's assignments, links and summary rows, renames merged subjects and
removes what became a hub. Nothing of the earlier batches is read again.

Resolution is computed outside the write lock (``compute_resolution``, which the screening
job runs while the batch's rows are written) and written under it (``store_resolution``): the
write checks that no other batch was resolved meanwhile (``SubjectState.generation``) and
computes again under the lock if one was. A batch is resolved once: a retried job finds its
assignments and leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import (
    Column,
    Integer,
    Table,
    Text,
    bindparam,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from aml_screen.alerts import SAME_PARTY
from aml_screen.schema import conform
from aml_screen.store.base import utcnow
from aml_screen.store.bulk import bulk_insert, filled, temporary_table
from aml_screen.store.copy_out import IN_CHUNK, read_frame, read_where_in
from aml_screen.store.database import Database
from aml_screen.store.jobs import Claim, require_claim
from aml_screen.store.models import (
    AlertSubject,
    PartySubject,
    Subject,
    SubjectCounterparty,
    SubjectDecision,
    SubjectHub,
    SubjectIdentifier,
    SubjectLink,
    SubjectMerge,
    SubjectNameToken,
    SubjectProfile,
    SubjectState,
    SubjectToken,
    Transaction,
)
from aml_screen.store.party_sides import its_transaction, party_name
from aml_screen.store.upsert import dialect_insert
from aml_screen.subjects.alert_parties import alert_parties
from aml_screen.subjects.counterparties import SPACE as COUNTERPARTY_SPACE
from aml_screen.subjects.decisions import DECISIONS
from aml_screen.subjects.known import (
    COUNTERPARTIES,
    HUBS,
    IDENTIFIER_KINDS,
    IDENTIFIERS,
    PROFILES,
    SPACES,
    SUBJECTS,
    TOKENS,
    KnownSubjects,
)
from aml_screen.subjects.records import RECORD_SCHEMA, party_records, prepared
from aml_screen.subjects.resolve import Resolution, resolve_prepared

_GROWN = temporary_table("grown_subjects", Column("sid", Text, primary_key=True),
                         Column("n", Integer))
"""Known subjects whose record count a batch changed (PostgreSQL)."""
_SUMMARY_TABLES = (PartySubject, SubjectProfile, SubjectIdentifier, SubjectCounterparty,
                   SubjectLink, AlertSubject)
"""The tables naming a subject: a merge renames it in each."""


@dataclass(frozen=True)
class SubjectsStored:
    """What resolving one batch did."""

    subjects: int
    """Distinct subjects the batch's records resolved to."""
    review: tuple[str, ...] = ()
    """Known subjects joined through an identifier this batch showed to be a hub: worth
    resolving again (``subject_review``)."""


def batch_records(transactions: pl.DataFrame, batch_id: int) -> pl.DataFrame:
    """The prepared party records of a batch's transactions (``record_id`` is
    ``batch_id|transaction_id|party_role``)."""
    return prepared(conform(party_records(transactions, str(batch_id)), RECORD_SCHEMA))


@dataclass(frozen=True)
class Computed:
    """A batch's resolution computed outside the write lock, with the state it read."""

    generation: int
    known: KnownSubjects
    result: Resolution


def compute_resolution(database: Database, batch_id: int, records: pl.DataFrame
                       ) -> Computed | None:
    """The resolution of the party ``records`` (``batch_records``) of stored batch
    ``batch_id`` against the store as it is; None when the batch was resolved before.
    Reads only, so that it can run while the batch's rows are being written."""
    with database.transaction() as session:
        if _resolved(session, batch_id):
            return None
        generation = _state(session).generation
        known = known_slice(session, records)
        decisions = kept_apart(session)
    return Computed(generation, known, resolve_prepared(records, known, decisions))


def store_resolution(database: Database, batch_id: int, records: pl.DataFrame,
                     computed: Computed | None, claim: Claim | None = None
                     ) -> SubjectsStored | None:
    """Write a ``computed`` resolution (computed again under the lock if another batch
    was resolved since); None when the batch was resolved before. With the job's
    ``claim``, the write checks it before committing (a lost claim writes nothing)."""
    if computed is None:
        return None
    with database.transaction() as session:
        stored = _store(session, batch_id, records, computed)
        if claim is not None:  # last: checking locks the job's row, which the heartbeat
            require_claim(session, claim)  # writes, until the long write commits
        return stored


def resolve_batch(database: Database, batch_id: int, records: pl.DataFrame,
                  claim: Claim | None = None) -> SubjectsStored | None:
    """Resolve and store the party ``records`` of stored batch ``batch_id``
    (``compute_resolution`` then ``store_resolution``)."""
    return store_resolution(database, batch_id, records,
                            compute_resolution(database, batch_id, records), claim)


def resolve_in_session(session: Session, batch_id: int, records: pl.DataFrame
                       ) -> SubjectsStored | None:
    """``resolve_batch`` inside the caller's transaction (a batch stored whole in one)."""
    return _store(session, batch_id, records, None)


def _store(session: Session, batch_id: int, records: pl.DataFrame,
           computed: Computed | None) -> SubjectsStored | None:
    """Under the resolution lock: nothing if the batch is resolved; the ``computed``
    resolution if the state is still the one it was computed on, else one computed now."""
    state = locked_state(session)
    if _resolved(session, batch_id):
        return None
    if computed is not None and computed.generation == state.generation:
        known, result = computed.known, computed.result
    else:
        known = known_slice(session, records)
        result = resolve_prepared(records, known, kept_apart(session))
    _write(session, batch_id, records, known, result)
    state.generation += 1
    state.key_count = result.known.key_count
    return SubjectsStored(
        subjects=result.assignments.get_column("subject_id").n_unique(),
        review=tuple(result.review.filter(pl.col("space") != COUNTERPARTY_SPACE)
                     .get_column("subject_id").unique().sort().to_list()))


def kept_apart(session: Session) -> pl.DataFrame:
    """The investigators' ``different`` decisions (``subjects.decisions.DECISIONS``):
    resolution never joins their two sides again."""
    return pl.DataFrame(session.execute(select(
        SubjectDecision.left, SubjectDecision.right, SubjectDecision.decision,
        SubjectDecision.reason).where(SubjectDecision.decision == "different")).all(),
        schema=DECISIONS, orient="row")


def _resolved(session: Session, batch_id: int) -> bool:
    return bool(session.scalar(select(exists().where(PartySubject.batch_id == batch_id))))


def _state(session: Session) -> SubjectState:
    state = session.get(SubjectState, 1)
    if state is None:
        session.execute(dialect_insert(session, SubjectState).values(
            id=1, generation=0, key_count=0).on_conflict_do_nothing(index_elements=["id"]))
        state = session.get_one(SubjectState, 1)
    return state


def locked_state(session: Session) -> SubjectState:
    """The state row, locked until the transaction ends: ``FOR UPDATE`` on PostgreSQL; on
    SQLite a write to it takes the database's write lock."""
    _state(session)
    if session.get_bind().dialect.name == "postgresql":
        return session.scalars(select(SubjectState).where(SubjectState.id == 1)
                               .with_for_update().execution_options(populate_existing=True)
                               ).one()
    session.execute(update(SubjectState).where(SubjectState.id == 1)
                    .values(generation=SubjectState.generation))
    session.expire_all()
    return session.get_one(SubjectState, 1)


def known_slice(session: Session, records: pl.DataFrame) -> KnownSubjects:
    """The summary rows prepared ``records`` can link to (``resolve.relevant`` narrows
    them further), with every hub and token count."""
    profile_columns = select(*(getattr(SubjectProfile, c) for c in PROFILES))
    dates = records.filter(pl.col("birth_date").str.len_chars() == 10)
    profiles = pl.concat([
        read_where_in(session, profile_columns, SubjectProfile.name_key,
                      records.get_column("name_key"), PROFILES),
        read_where_in(session, profile_columns, SubjectProfile.birth_date,
                      dates.get_column("birth_date"), PROFILES),
    ]).unique()
    values = pl.concat([records.get_column(kind) for kind in IDENTIFIER_KINDS])
    identifiers = read_where_in(
        session, select(*(getattr(SubjectIdentifier, c) for c in IDENTIFIERS)),
        SubjectIdentifier.value, values, IDENTIFIERS)
    identifiers = identifiers.group_by(list(IDENTIFIERS)[:-1]).agg(
        pl.col("records").sum()).select(list(IDENTIFIERS))
    counterparties = read_where_in(
        session, select(*(getattr(SubjectCounterparty, c) for c in COUNTERPARTIES)),
        SubjectCounterparty.counterparty, records.get_column("counterparty"), COUNTERPARTIES)
    counterparties = counterparties.group_by(list(COUNTERPARTIES)[:-1]).agg(
        pl.col("records").sum()).select(list(COUNTERPARTIES))
    touched = pl.concat([frame.get_column("subject_id")
                         for frame in (profiles, identifiers, counterparties)])
    subjects = read_where_in(session, select(Subject.id, Subject.records, Subject.name),
                             Subject.id, touched, SUBJECTS)
    hubs = read_frame(session, select(SubjectHub.space, SubjectHub.value, SubjectHub.names),
                      HUBS)
    tokens = read_frame(session, select(SubjectToken.skeleton, SubjectToken.df), TOKENS)
    return KnownSubjects(subjects=subjects, profiles=profiles, identifiers=identifiers,
                         counterparties=counterparties, hubs=hubs, tokens=tokens,
                         key_count=_state(session).key_count)


def _write(session: Session, batch_id: int, records: pl.DataFrame, known: KnownSubjects,
           result: Resolution) -> None:
    rename_subjects(session, batch_id, result.merged)
    _upsert_subjects(session, batch_id, result.known.subjects, known.subjects)
    rows = records.join(result.assignments.select("record_id", "subject_id"), on="record_id")
    bulk_insert(session, PartySubject, rows.select(
        batch_id=pl.lit(batch_id), transaction_id="transaction_id", party_role="party_role",
        subject_id="subject_id"))
    bulk_insert(session, SubjectLink, result.links.select(
        "subject_id", batch_id=pl.lit(batch_id), left="left", right="right", code="code",
        params="params"))
    hubs = result.known.hubs
    new_hubs = result.new_hubs
    insert_summaries(session, rows.with_columns(batch_id=pl.lit(batch_id)), hubs)
    _store_hubs(session, hubs, known.hubs, new_hubs)
    fresh = rows.select("name_key").drop_nulls().unique().join(
        known.profiles.select("name_key"), on="name_key", how="anti")
    bulk_insert(session, SubjectNameToken, fresh.with_columns(
        skeleton=pl.col("name_key").str.split(" ")).explode("skeleton").unique().select(
        "skeleton", "name_key"))
    changed = result.known.tokens.join(known.tokens, on=["skeleton", "df"], how="anti")
    if not changed.is_empty():
        statement = dialect_insert(session, SubjectToken)
        session.execute(statement.on_conflict_do_update(
            index_elements=["skeleton"], set_={"df": statement.excluded.df}),
            changed.to_dicts())


def insert_summaries(session: Session, rows: pl.DataFrame, hubs: pl.DataFrame) -> None:
    """The profile, identifier and counterparty rows of prepared records ``rows`` (with
    their ``subject_id`` and ``batch_id``); identifiers and counterparties that are
    ``hubs`` are left out."""
    bulk_insert(session, SubjectProfile, rows.filter(pl.col("name_key").is_not_null()).select(
        "batch_id", *PROFILES).unique())
    identifiers = rows.unpivot(on=list(IDENTIFIER_KINDS),
                               index=["batch_id", "subject_id", "name_key"],
                               variable_name="kind", value_name="value").drop_nulls("value")
    identifiers = identifiers.group_by("batch_id", "subject_id", "kind", "value",
                                       "name_key").agg(records=pl.len()).with_columns(
        space=pl.col("kind").replace_strict(SPACES)).join(hubs, on=["space", "value"],
                                                          how="anti")
    bulk_insert(session, SubjectIdentifier, identifiers.select("batch_id", *IDENTIFIERS))
    dealings = rows.filter(pl.col("name_key").is_not_null()
                           & pl.col("counterparty").is_not_null()).group_by(
        "batch_id", "subject_id", "name_key", "counterparty", "account").agg(records=pl.len())
    dealings = dealings.join(hubs.filter(pl.col("space") == COUNTERPARTY_SPACE)
                             .select(counterparty="value"), on="counterparty", how="anti")
    bulk_insert(session, SubjectCounterparty, dealings.select("batch_id", *COUNTERPARTIES))


def rename_subjects(session: Session, batch_id: int | None, merged: pl.DataFrame) -> None:
    """Rename each ``merged`` subject (``subject_id`` → ``into``) everywhere, decisions
    included, remember it, and drop its row (the caller counts its records in)."""
    if merged.is_empty():
        return
    pairs = merged.select(old="subject_id", new="into").to_dicts()
    for model in _SUMMARY_TABLES:
        table: Table = model.__table__  # type: ignore[assignment]
        session.execute(update(table).where(table.c.subject_id == bindparam("old"))
                        .values(subject_id=bindparam("new")), pairs)
    decisions: Table = SubjectDecision.__table__  # type: ignore[assignment]
    for side in ("left", "right"):
        session.execute(update(decisions).where(decisions.c[side] == bindparam("old"))
                        .values({side: bindparam("new")}), pairs)
    merges: Table = SubjectMerge.__table__  # type: ignore[assignment]
    session.execute(update(merges).where(merges.c.into == bindparam("old"))
                    .values(into=bindparam("new")), pairs)
    session.execute(dialect_insert(session, SubjectMerge).on_conflict_do_nothing(
        index_elements=["subject_id"]), merged.select(
        "subject_id", "into", batch_id=pl.lit(batch_id)).to_dicts())
    session.execute(delete(Subject).where(Subject.id.in_(merged.get_column("subject_id")
                                                         .to_list())))


def _upsert_subjects(session: Session, batch_id: int, subjects: pl.DataFrame,
                     known: pl.DataFrame) -> None:
    """The subjects the batch touched, with their record counts after it (``resolve``
    summed them from the rows it was given, which hold all of theirs): new ones copied in,
    known ones whose count changed updated."""
    fresh = subjects.join(known, on="subject_id", how="anti")
    bulk_insert(session, Subject, fresh.select(
        id="subject_id", name="name", records="records", first_batch_id=pl.lit(batch_id),
        updated_at=pl.lit(utcnow()).dt.cast_time_unit("us")))
    grown = subjects.join(known, on=["subject_id", "records"], how="anti").join(
        known, on="subject_id", how="semi")
    if grown.is_empty():
        return
    table: Table = Subject.__table__  # type: ignore[assignment]
    if session.get_bind().dialect.name == "postgresql":
        # One joined UPDATE: a batch grows hundreds of thousands of known subjects, which
        # took 20 s as one statement per row against a 10M-row store.
        rows = filled(session, _GROWN, grown.select(sid="subject_id", n="records"))
        session.execute(update(table).where(table.c.id == rows.c.sid).values(
            records=rows.c.n, updated_at=utcnow()))
        return
    session.execute(update(table).where(table.c.id == bindparam("sid")).values(
        records=bindparam("n"), updated_at=utcnow()),
        grown.select(sid="subject_id", n="records").to_dicts())


def _store_hubs(session: Session, hubs: pl.DataFrame, known: pl.DataFrame,
                new_hubs: pl.DataFrame) -> None:
    """Store the hubs that are new or counted more names, and forget every summary row of
    the new ones: they link nothing."""
    changed = hubs.join(known, on=["space", "value", "names"], how="anti")
    if not changed.is_empty():
        statement = dialect_insert(session, SubjectHub)
        session.execute(statement.on_conflict_do_update(
            index_elements=["space", "value"], set_={"names": statement.excluded.names}),
            changed.to_dicts())
    for space in new_hubs.get_column("space").unique().to_list():
        values = new_hubs.filter(pl.col("space") == space).get_column("value").to_list()
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start:start + IN_CHUNK]
            if space == COUNTERPARTY_SPACE:
                session.execute(delete(SubjectCounterparty).where(
                    SubjectCounterparty.counterparty.in_(chunk)))
                continue
            kinds = [kind for kind, kind_space in SPACES.items() if kind_space == space]
            session.execute(delete(SubjectIdentifier).where(
                SubjectIdentifier.kind.in_(kinds), SubjectIdentifier.value.in_(chunk)))


_SIDES: dict[str, pl.DataType] = {
    "transaction_id": pl.String(), "party_role": pl.String(), "subject_id": pl.String()}


def _resolved_sides(session: Session, batch_id: int, parties: pl.DataFrame) -> pl.DataFrame:
    """``parties`` (``alert_id``, ``transaction_id``, ``party_role``) with each side's
    stored subject."""
    found = read_where_in(session, select(
        PartySubject.transaction_id, PartySubject.party_role, PartySubject.subject_id).where(
        PartySubject.batch_id == batch_id), PartySubject.transaction_id,
        parties.get_column("transaction_id"), _SIDES)
    return parties.join(found, on=["transaction_id", "party_role"])


def same_party_names(session: Session, batch_id: int, alerts: pl.DataFrame,
                     transactions: pl.DataFrame) -> pl.DataFrame:
    """``alerts.SAME_PARTY`` for a resolved batch: the party alerts of ``alerts`` (one
    per normalised name, as screening makes them) whose parties are all one stored subject,
    grouped by subject — Iyad Ag Ghaly and IYAD AG GALI are one alert. The alert goes under
    the name of the riskiest one. A name held by two subjects (namesakes in one batch)
    stays an alert of its own."""
    party = alerts.filter(pl.col("subject_type") == "party")
    if party.height < 2:
        return pl.DataFrame(schema=SAME_PARTY)
    sides = _resolved_sides(session, batch_id, alert_parties(party, transactions))
    single = sides.group_by("alert_id").agg(
        pl.col("subject_id").n_unique().alias("subjects"),
        pl.col("subject_id").first()).filter(pl.col("subjects") == 1)
    named = single.join(party.select("alert_id", name="subject_id", risk="risk_score"),
                        on="alert_id").sort(["risk", "name"], descending=[True, False])
    grouped = named.with_columns(subject=pl.col("name").first().over("subject_id")).filter(
        pl.len().over("subject_id") > 1)
    return grouped.select("name", "subject").cast(SAME_PARTY)  # type: ignore[arg-type]


def store_alert_subjects(session: Session, batch_id: int, alerts: pl.DataFrame,
                         transactions: pl.DataFrame, new: pl.DataFrame,
                         same_party: pl.DataFrame | None = None) -> None:
    """Tie the ``new`` alerts (``alert_id`` the alert key, ``db_id`` its database id) of
    batch ``batch_id`` to the subjects of the parties they are about
    (``subjects.alert_parties``)."""
    if new.is_empty():
        return
    created = alerts.join(new.select("alert_id"), on="alert_id", how="semi")
    sides = _resolved_sides(session, batch_id, alert_parties(created, transactions, same_party))
    bulk_insert(session, AlertSubject, sides.join(new.select("alert_id", "db_id"),
                                                  on="alert_id").select(
        alert_id="db_id", subject_id="subject_id").unique().sort("alert_id", "subject_id"))


def purge_batch_subjects(session: Session, batch_ids: list[int]) -> None:
    """Remove what the purged batches told of their parties: their assignments, links and
    summary rows; subjects left without records go, the others keep their count of the
    records left and a spelling from them."""
    if not batch_ids:
        return
    touched = set(session.scalars(select(PartySubject.subject_id).distinct().where(
        PartySubject.batch_id.in_(batch_ids))))
    for model in (PartySubject, SubjectLink, SubjectProfile, SubjectIdentifier,
                  SubjectCounterparty):
        session.execute(delete(model).where(model.batch_id.in_(batch_ids)))
    shown = select(SubjectProfile.id).where(
        SubjectProfile.name_key == SubjectNameToken.name_key)
    session.execute(delete(SubjectNameToken).where(~exists(shown)))
    ordered = sorted(touched)
    for start in range(0, len(ordered), IN_CHUNK):
        chunk = ordered[start:start + IN_CHUNK]
        counts = dict(session.execute(select(PartySubject.subject_id, func.count()).where(
            PartySubject.subject_id.in_(chunk)).group_by(PartySubject.subject_id)).all())
        gone = [sid for sid in chunk if sid not in counts]
        session.execute(delete(Subject).where(Subject.id.in_(gone)))
        session.execute(delete(AlertSubject).where(AlertSubject.subject_id.in_(gone)))
        if counts:
            session.execute(update(Subject.__table__).where(  # type: ignore[arg-type]
                Subject.id == bindparam("sid")).values(
                records=bindparam("n"), name=spelling_of(bindparam("sid"))),
                [{"sid": sid, "n": n} for sid, n in counts.items()])


def spelling_of(subject: Any) -> Any:
    """A name the subject's remaining records show (scalar subquery)."""
    name = party_name()
    return (select(name).select_from(PartySubject).join(Transaction, its_transaction())
            .where(PartySubject.subject_id == subject, name.is_not(None))
            .limit(1).scalar_subquery())
