"""Writing and checking the audit trail. Every state change and every view of a subject goes
through ``record`` inside the same transaction as the change, so the trail cannot miss one.

The trail is a hash chain: event ``seq`` stores ``prev_hash`` (the hash of event ``seq - 1``,
zeros for the first) and ``hash``, the SHA-256 of its canonical content (actor, UTC time,
action, object, its before/after and ``prev_hash``). Chain version 1 hashed before/after
themselves; version 2 (every event written now) hashes ``payload_sha256``, the digest of
before/after, so retention can erase that personal data (``redact_events``) and the chain
still verifies; while the payload is there, verification recomputes its digest, so editing
it is found as before. A redacted event names the ``retention.purged`` event that redacted it
(``redacted_by``), whose payload holds the count and a digest of every event it redacted: a
redaction no purge accounts for (before/after erased by hand) breaks verification.
``record`` takes the table's write lock before reading the last event, so two writers queue
instead of forking the chain; the unique
``seq`` refuses a fork even if a writer skipped the lock. ``verify_chain`` walks the events in
order and names the first one that was edited, deleted, inserted or moved.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, event, null, select, text, update
from sqlalchemy.orm import Mapper, ORMExecuteState, Session
from sqlalchemy.sql.dml import Delete, Update

from aml_screen.i18n import translate
from aml_screen.store.base import utcnow
from aml_screen.store.errors import StoreError
from aml_screen.store.models import AuditEvent, User

SYSTEM_ACTOR = "system"
GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first event."""
CHAIN_VERSION = 2
"""Chain version of new events; part of every hashed content, so a change of the canonical
form is explicit (version-1 events keep verifying with the version-1 form)."""
CHAIN_LOCK_KEY = 0x616D6C5F61756469  # "aml_audi": PostgreSQL advisory lock of the chain
PURGE_ACTION = "retention.purged"
"""The one action whose events may account for redactions."""


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 text, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def event_hash(*, at: datetime, actor_id: int | None, actor_name: str, action: str,
               object_type: str, object_id: str, before: Any, after: Any,
               prev_hash: str) -> str:
    """SHA-256 (hex) of a version-1 event's canonical content (before/after included)."""
    content = {
        "v": 1, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "object_type": object_type, "object_id": object_id,
        "before": before, "after": after, "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def payload_digest(before: Any, after: Any) -> str:
    """SHA-256 (hex) of an event's before/after, as stored in ``payload_sha256``."""
    content = {"before": before, "after": after}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def event_hash_v2(*, at: datetime, actor_id: int | None, actor_name: str, action: str,
                  object_type: str, object_id: str, payload_sha256: str,
                  prev_hash: str) -> str:
    """SHA-256 (hex) of a version-2 event's canonical content: the payload digest stands
    for before/after, which may later be redacted."""
    content = {
        "v": 2, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "object_type": object_type, "object_id": object_id,
        "payload_sha256": payload_sha256, "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def stored_event_hash(row: Any) -> str | None:
    """The hash an event row (ORM object or table row) must carry given its chain version,
    or None when its stored payload no longer matches its ``payload_sha256`` (edited)."""
    if row.chain_version == 1:
        return event_hash(at=row.at, actor_id=row.actor_id, actor_name=row.actor_name,
                          action=row.action, object_type=row.object_type,
                          object_id=row.object_id, before=row.before, after=row.after,
                          prev_hash=row.prev_hash)
    if row.chain_version != CHAIN_VERSION or row.payload_sha256 is None:
        return None
    redacted = row.redacted_at is not None and row.before is None and row.after is None
    if not redacted and payload_digest(row.before, row.after) != row.payload_sha256:
        return None
    return event_hash_v2(at=row.at, actor_id=row.actor_id, actor_name=row.actor_name,
                         action=row.action, object_type=row.object_type,
                         object_id=row.object_id, payload_sha256=row.payload_sha256,
                         prev_hash=row.prev_hash)


def redaction_digest(seqs: Iterable[int]) -> str:
    """SHA-256 (hex) of the ``seq`` numbers of the events one purge redacted, sorted: what
    the purge event records, so no event can later be passed off as redacted by it."""
    return hashlib.sha256(",".join(str(s) for s in sorted(seqs)).encode("ascii")).hexdigest()


def _as_stored(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value as the JSON column gives it back (tuples become lists, keys strings), so
    the hash is computed on exactly what is stored."""
    if value is None:
        return None
    stored: dict[str, Any] = json.loads(json.dumps(value, ensure_ascii=False,
                                                   allow_nan=False))
    return stored


def _lock_chain(session: Session) -> tuple[int, str]:
    """Take the audit table's write lock (held until commit) and return the next ``seq``
    and the hash it must link to."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # A transaction-scoped advisory lock: queues writers, never readers, and needs no
        # UPDATE/DELETE privilege on the table (a deployment may grant INSERT/SELECT only).
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement, even one touching no row, takes SQLite's single write lock.
        session.execute(text("UPDATE audit_events SET id = id WHERE 0 = 1"))
    last = session.execute(select(AuditEvent.seq, AuditEvent.hash)
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (1, GENESIS_HASH) if last is None else (last.seq + 1, last.hash)


def record(session: Session, actor: User | None, action: str, object_type: str,
           object_id: object, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event; ``actor`` None means the system itself (CLI, background job)."""
    before, after = _as_stored(before), _as_stored(after)
    payload = payload_digest(before, after)
    seq, prev_hash = _lock_chain(session)
    entry = AuditEvent(
        seq=seq, at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else SYSTEM_ACTOR,
        action=action, object_type=object_type, object_id=str(object_id),
        before=before, after=after, prev_hash=prev_hash,
        chain_version=CHAIN_VERSION, payload_sha256=payload,
    )
    entry.hash = event_hash_v2(at=entry.at, actor_id=entry.actor_id,
                               actor_name=entry.actor_name, action=action,
                               object_type=object_type, object_id=entry.object_id,
                               payload_sha256=payload, prev_hash=prev_hash)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    """The first event that does not verify. ``problem`` is ``missing`` (the chain jumps over
    ``seq``: deleted), ``altered`` (content does not match its hash: edited), ``misplaced``
    (it does not link to the event before it: inserted, moved or swapped), ``unexplained``
    (its before/after were erased, and no retention purge accounts for it), ``unaccounted``
    (a purge event whose redactions do not match the events that name it), ``rewritten`` (the
    chain holds together but event ``seq`` is not the one of the expected head) or
    ``truncated`` (the trail ends before the expected head). The last two need an anchor, and
    ``truncated`` has no event to show (``event_id`` None)."""

    seq: int
    event_id: int | None
    action: str | None
    at: datetime | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    events: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None
    redacted: int = 0
    """Events whose before/after retention erased (each accounted for by a purge)."""
    purges: int = 0
    """``retention.purged`` events that redacted some."""


def describe_chain(report: ChainReport, lang: str) -> str:
    """One line in ``lang``: the chain's head when intact, else the first bad event and why
    (what ``aml-screen audit verify`` prints and the audit page shows)."""
    broken = report.broken
    if broken is None:
        if report.events == 0:
            return translate("audit.empty", lang)
        intact = translate("audit.intact", lang, seq=report.head_seq, hash=report.head_hash)
        if not report.redacted:
            return intact
        return intact + translate("audit.redacted", lang, redacted=report.redacted,
                                  purges=report.purges)
    detail = translate(f"audit.broken.{broken.problem}", lang, seq=broken.seq,
                       event_id=broken.event_id, action=broken.action,
                       previous=broken.seq - 1,
                       at=broken.at.isoformat(timespec="seconds") if broken.at else None)
    return translate("audit.broken", lang, detail=detail, events=report.events)


@dataclass
class _Redactions:
    """Redacted events met during a walk, waiting for the purge event they name."""

    waiting: dict[int, list[Any]]
    redacted: int = 0
    purges: int = 0

    def problem(self, row: Any) -> tuple[str, Any] | None:
        """The redaction problem ``row`` shows (and the event to report), if any."""
        if row.redacted_at is not None:
            if row.redacted_by is None or row.redacted_by <= row.seq:
                return "unexplained", row
            self.waiting.setdefault(row.redacted_by, []).append(row)
        named = self.waiting.pop(row.seq, None)
        if named is None:
            return None
        after = row.after if isinstance(row.after, dict) else {}
        digest = after.get("redacted_digest")
        accounted = (row.action == PURGE_ACTION and row.redacted_at is None and (
            digest == redaction_digest(r.seq for r in named) if digest is not None
            else after.get("audit_events") == len(named)))  # purges before the digest
        if not accounted:
            return "unaccounted", row
        self.redacted += len(named)
        self.purges += 1
        return None


def verify_chain(session: Session, anchor: tuple[int, str] | None = None,
                 batch_size: int = 5000) -> ChainReport:
    """Walk the whole trail in ``seq`` order, streaming, and stop at the first bad event.

    A chain alone cannot show that its last events were deleted, nor that it was rebuilt
    from scratch; ``anchor`` — an earlier head ``(seq, hash)`` kept outside the database —
    can: that event must still be there with that hash. Every redacted event must be
    accounted for by the retention purge it names."""
    table = AuditEvent.__table__
    rows = session.execute(select(table).order_by(table.c.seq)).yield_per(batch_size)
    expected, prev_hash, count = 1, GENESIS_HASH, 0
    redactions = _Redactions(waiting={})

    def report(broken: ChainBreak | None) -> ChainReport:
        return ChainReport(count, expected - 1, prev_hash, broken, redactions.redacted,
                           redactions.purges)

    for row in rows:
        problem, shown = None, row
        if row.seq != expected:
            problem = "missing"
        elif stored_event_hash(row) != row.hash:
            problem = "altered"
        elif row.prev_hash != prev_hash:
            problem = "misplaced"
        elif anchor is not None and anchor[0] == row.seq and anchor[1] != row.hash:
            problem = "rewritten"
        else:
            problem, shown = redactions.problem(row) or (None, row)
        if problem is not None:
            rows.close()
            return report(ChainBreak(shown.seq if problem != "missing" else expected,
                                     shown.id, shown.action, shown.at, problem))
        expected, prev_hash, count = expected + 1, row.hash, count + 1
    if redactions.waiting:
        first = min((r for named in redactions.waiting.values() for r in named),
                    key=lambda r: r.seq)
        return report(ChainBreak(first.seq, first.id, first.action, first.at, "unexplained"))
    if anchor is not None and anchor[0] >= expected:
        return report(ChainBreak(expected, None, None, None, "truncated"))
    return report(None)


_EVENTS = cast(Table, AuditEvent.__table__)
_REDACT = (
    update(_EVENTS)
    .where(_EVENTS.c.id.in_(bindparam("ids", expanding=True)),
           _EVENTS.c.chain_version == CHAIN_VERSION, _EVENTS.c.redacted_at.is_(None))
    .values(before=null(), after=null(), redacted_at=bindparam("redacted_at"),
            redacted_by=bindparam("redacted_by"))
)
"""The one change the trail accepts: erase before/after of version-2 events, say when and
which purge did it. The guard below lets exactly this statement object through."""
_REDACT_CHUNK = 500


@dataclass(frozen=True)
class Redaction:
    """What ``redact_events`` did: the purge event recorded next must take ``purge_seq``
    and carry ``count`` and ``digest`` (``redaction_digest``) in its payload."""

    purge_seq: int
    count: int
    digest: str


def redact_events(session: Session, event_ids: list[int]) -> Redaction:
    """Erase the personal data (before/after) of the given events, keeping their payload
    digest, so the chain still verifies. Only retention calls this, then records the purge
    event (``PURGE_ACTION``) in the same transaction: the chain's lock, taken here, keeps
    its ``seq`` for it. Version-1 events (whose hash covers the payload itself) and events
    already redacted are left alone."""
    purge_seq, _ = _lock_chain(session)
    at = utcnow()
    connection = session.connection()
    redacted: list[int] = []
    for start in range(0, len(event_ids), _REDACT_CHUNK):
        chunk = event_ids[start:start + _REDACT_CHUNK]
        redacted += connection.execute(
            select(_EVENTS.c.seq).where(_EVENTS.c.id.in_(chunk),
                                        _EVENTS.c.chain_version == CHAIN_VERSION,
                                        _EVENTS.c.redacted_at.is_(None))).scalars().all()
        connection.execute(_REDACT, {"ids": chunk, "redacted_at": at, "redacted_by": purge_seq})
    return Redaction(purge_seq, len(redacted), redaction_digest(redacted))


def _refuse_change(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise StoreError("store.audit_append_only", event_id=target.id)


def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """``update(AuditEvent)`` / ``delete(AuditEvent)`` bypass the per-object hooks."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None \
            and mapper.class_ is AuditEvent:
        raise StoreError("store.audit_append_only", event_id="*")


def _refuse_core_change(_connection: Any, statement: Any, *_args: Any) -> None:
    """A Core ``update``/``delete`` of the table, other than the redaction statement."""
    if isinstance(statement, Update | Delete) and statement.table is _EVENTS \
            and statement is not _REDACT:
        raise StoreError("store.audit_append_only", event_id="*")


event.listen(AuditEvent, "before_update", _refuse_change)
event.listen(AuditEvent, "before_delete", _refuse_change)
event.listen(Session, "do_orm_execute", _refuse_bulk_change)
event.listen(Engine, "before_execute", _refuse_core_change)
