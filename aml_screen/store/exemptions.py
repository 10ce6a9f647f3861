"""Exemptions: a watchlist hit closed as a false positive, remembered for later batches.

An investigator proposes one from a stored hit; a supervisor who is not the proposer
approves or rejects it (four-eyes, checked on the user's identity); a supervisor can revoke
it. Each step checks the version the user saw and is audited with the state before and
after, in the caller's transaction. The pair's keys are computed from the stored rows with
the same functions the pipeline uses on the batch frame, so they match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from aml_screen.errors import InputError
from aml_screen.exemptions import ENTRY_LISTS, EXEMPTION_SCHEMA, entry_digests, party_keys
from aml_screen.schema import PARTY_ROLES
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.errors import ConflictError, NotFoundError
from aml_screen.store.models import Alert, Exemption, Hit, ListedEntry, Transaction, User

MAX_DAYS = 3 * 366
"""The longest an exemption may last: a remembered decision must be reviewed again."""
MAX_REASON = 2_000
EXPIRING_SOON_DAYS = 30
OPEN_STATUSES = ("proposed", "active")


class ExemptionError(InputError):
    """An exemption step that is not allowed (missing reason, bad expiry, wrong status)."""

    http_status = 400


class FourEyesError(InputError):
    """The proposer of an exemption tried to decide it."""

    http_status = 403


@dataclass(frozen=True)
class Pair:
    """A stored hit's (party, listed entry) pair with its identity keys."""

    hit_id: int
    list_id: str
    entry_id: str
    party_key: str
    entry_digest: str
    party_name: str
    party_details: dict[str, Any]


def hit_pair(session: Session, hit: Hit) -> Pair:
    """The keys of ``hit``'s pair, from its transaction row and its listed entry row."""
    found = _pairs(session, session.get_one(Alert, hit.alert_id), [hit])[0]
    if isinstance(found, ExemptionError):
        raise found
    return found


def _pairs(session: Session, alert: Alert, hits: Sequence[Hit]
           ) -> list[Pair | ExemptionError]:
    """Each of ``alert``'s ``hits`` with its pair's keys, or why it has none (the party's
    transaction was purged, the entry is missing). Two reads and one pass of the pipeline's
    key functions whatever the number of hits: a busy alert has fifty hits on one entry,
    and reading each one's rows on its own cost the alert page a statement per hit."""
    columns = [getattr(Transaction, f"{role}_{field}") for role in PARTY_ROLES
               for field in ("account", "country")]
    parties: dict[str, tuple[Any, ...]] = {}
    for row in session.execute(
            select(Transaction.transaction_id, *columns)
            .where(Transaction.batch_id == alert.batch_id,
                   Transaction.transaction_id.in_(sorted({h.transaction_id for h in hits})))
            .order_by(Transaction.id)):
        parties.setdefault(row[0], tuple(row[1:]))
    wanted = {(h.list_version, h.list_id, h.entry_id) for h in hits}
    entries = {(e.list_version, e.list_id, e.entry_id): e for e in session.scalars(
        select(ListedEntry).where(tuple_(ListedEntry.list_version, ListedEntry.list_id,
                                         ListedEntry.entry_id).in_(sorted(wanted))))}
    errors: dict[int, ExemptionError] = {}
    for index, hit in enumerate(hits):
        if hit.transaction_id not in parties:
            errors[index] = ExemptionError("exemptions.no_party", hit_id=hit.id)
        elif (hit.list_version, hit.list_id, hit.entry_id) not in entries:
            errors[index] = ExemptionError("exemptions.no_entry", hit_id=hit.id)
    keyed = [hit for index, hit in enumerate(hits) if index not in errors]
    pairs = iter(_keyed(keyed, parties, entries))
    return [errors[index] if index in errors else next(pairs) for index in range(len(hits))]


def _keyed(hits: list[Hit], parties: dict[str, tuple[Any, ...]],
           entries: dict[tuple[str, str, str], ListedEntry]) -> list[Pair]:
    """The pairs of ``hits`` whose transaction row and entry were both read, keyed by the
    pipeline's own functions over all of them at once."""
    if not hits:
        return []
    details = [_details(parties[h.transaction_id], h.party_role) for h in hits]
    party = pl.DataFrame({
        "party_name_normalised": [h.party_name_normalised for h in hits],
        "party_account": [d["account"] for d in details],
        "party_country": [d["country"] for d in details]},
        schema={"party_name_normalised": pl.String, "party_account": pl.String,
                "party_country": pl.String})
    listed_keys = sorted({(h.list_version, h.list_id, h.entry_id) for h in hits})
    listed = [entries[key] for key in listed_keys]
    digests = dict(zip(listed_keys, entry_digests(pl.DataFrame(
        {"names": [e.names for e in listed],
         **{c: [getattr(e, c) or [] for e in listed] for c in ENTRY_LISTS},
         "remarks": [e.remarks for e in listed]},
        schema={"names": pl.List(pl.Struct({"name": pl.String, "kind": pl.String})),
                **dict.fromkeys(ENTRY_LISTS, pl.List(pl.String)), "remarks": pl.String}
    )).to_list(), strict=True))
    return [Pair(hit_id=hit.id, list_id=hit.list_id, entry_id=hit.entry_id, party_key=key,
                 entry_digest=digests[(hit.list_version, hit.list_id, hit.entry_id)],
                 party_name=hit.party_name, party_details=detail)
            for hit, key, detail in zip(hits, party_keys(party).to_list(), details,
                                        strict=True)]


def _details(row: tuple[Any, ...], role: str) -> dict[str, Any]:
    """The party's account and country from a transaction row (``PARTY_ROLES`` order)."""
    at = 2 * PARTY_ROLES.index(role)
    return {"account": row[at], "country": row[at + 1]}


def get_exemption(session: Session, exemption_id: int) -> Exemption:
    found = session.get(Exemption, exemption_id)
    if found is None:
        raise NotFoundError("exemptions.not_found", exemption_id=exemption_id)
    return found


def _state(exemption: Exemption) -> dict[str, Any]:
    return {"status": exemption.status, "list_id": exemption.list_id,
            "entry_id": exemption.entry_id, "party_key": exemption.party_key,
            "entry_digest": exemption.entry_digest, "reason": exemption.reason,
            "expires_on": exemption.expires_on.isoformat(),
            "decided_by_id": exemption.decided_by_id, "version": exemption.version}


def _save(session: Session, exemption: Exemption, actor: User, action: str,
          before: dict[str, Any] | None) -> Exemption:
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError("exemptions.conflict", exemption_id=exemption.id) from None
    record(session, actor, action, "exemption", exemption.id, before=before,
           after=_state(exemption))
    return exemption


def open_exemption(session: Session, pair: Pair) -> Exemption | None:
    """The proposed or active exemption of exactly this pair, if any."""
    return session.scalars(select(Exemption).where(
        Exemption.list_id == pair.list_id, Exemption.entry_id == pair.entry_id,
        Exemption.party_key == pair.party_key, Exemption.entry_digest == pair.entry_digest,
        Exemption.status.in_(OPEN_STATUSES)).order_by(Exemption.id)).first()


def judged_false_positive(alert: Alert | None) -> bool:
    """An exemption remembers a judgement: only the hits of an alert closed as a false
    positive may be exempted (an alert still ``new`` has not been looked at)."""
    return alert is not None and (alert.status, alert.disposition) == ("closed",
                                                                       "false_positive")


def _require_false_positive(session: Session, alert_id: int | None) -> None:
    alert = session.get(Alert, alert_id) if alert_id is not None else None
    if not judged_false_positive(alert):
        raise ExemptionError("exemptions.not_false_positive", alert_id=alert_id)


def propose(session: Session, actor: User, hit_id: int, reason: str,
            expires_on: date | None = None, *, exemption_days: int,
            today: date | None = None) -> Exemption:
    """Propose remembering ``hit_id``'s pair as a false positive until ``expires_on``
    (default: ``exemption_days`` from today, at most ``MAX_DAYS``); ``actor`` owns it.
    The hit's alert must be closed as a false positive (``judged_false_positive``)."""
    day = today or date.today()
    text = reason.strip()
    if not text:
        raise ExemptionError("exemptions.reason_required")
    until = expires_on or day + timedelta(days=exemption_days)
    if not day < until <= day + timedelta(days=MAX_DAYS):
        raise ExemptionError("exemptions.bad_expiry", expires_on=until,
                             latest=day + timedelta(days=MAX_DAYS))
    hit = session.get(Hit, hit_id)
    if hit is None:
        raise NotFoundError("exemptions.hit_not_found", hit_id=hit_id)
    _require_false_positive(session, hit.alert_id)
    pair = hit_pair(session, hit)
    existing = open_exemption(session, pair)
    if existing is not None:
        raise ExemptionError("exemptions.duplicate", exemption_id=existing.id,
                             status=existing.status)
    exemption = Exemption(
        list_id=pair.list_id, entry_id=pair.entry_id, entry_digest=pair.entry_digest,
        party_key=pair.party_key, party_name=pair.party_name,
        party_details=pair.party_details, reason=text[:MAX_REASON], status="proposed",
        expires_on=until, source_alert_id=hit.alert_id, proposed_by_id=actor.id)
    session.add(exemption)
    return _save(session, exemption, actor, "exemption.propose", None)


def _decidable(session: Session, actor: User, exemption_id: int,
               expected_version: int) -> Exemption:
    exemption = get_exemption(session, exemption_id)
    if exemption.version != expected_version:
        raise ConflictError("exemptions.conflict", exemption_id=exemption_id)
    if exemption.status != "proposed":
        raise ExemptionError("exemptions.bad_status", status=exemption.status)
    if exemption.proposed_by_id == actor.id:
        raise FourEyesError("exemptions.four_eyes")
    return exemption


def decide(session: Session, actor: User, exemption_id: int, expected_version: int,
           approve: bool) -> Exemption:
    """Approve (the pair stops alerting) or reject a proposed exemption. The decider must
    be another user than the proposer; approving needs the source alert still closed as a
    false positive (it may have been reopened since the proposal)."""
    exemption = _decidable(session, actor, exemption_id, expected_version)
    if approve:
        _require_false_positive(session, exemption.source_alert_id)
    before = _state(exemption)
    exemption.status = "active" if approve else "rejected"
    exemption.decided_by_id, exemption.decided_at = actor.id, utcnow()
    return _save(session, exemption, actor,
                 "exemption.approve" if approve else "exemption.reject", before)


def revoke(session: Session, actor: User, exemption_id: int,
           expected_version: int) -> Exemption:
    """End an active (or still proposed) exemption: the pair alerts again from now on."""
    exemption = get_exemption(session, exemption_id)
    if exemption.version != expected_version:
        raise ConflictError("exemptions.conflict", exemption_id=exemption_id)
    if exemption.status not in OPEN_STATUSES:
        raise ExemptionError("exemptions.bad_status", status=exemption.status)
    before = _state(exemption)
    exemption.status = "revoked"
    exemption.decided_by_id, exemption.decided_at = actor.id, utcnow()
    return _save(session, exemption, actor, "exemption.revoke", before)


def list_exemptions(session: Session, *, status: str | None = None,
                    list_id: str | None = None, expiring_within: int | None = None,
                    today: date | None = None, limit: int = 500) -> list[Exemption]:
    """Exemptions, newest first; ``expiring_within`` days keeps active ones ending soon."""
    query = select(Exemption)
    if status:
        query = query.where(Exemption.status == status)
    if list_id:
        query = query.where(Exemption.list_id == list_id)
    if expiring_within is not None:
        day = today or date.today()
        query = query.where(Exemption.status == "active", Exemption.expires_on >= day,
                            Exemption.expires_on <= day + timedelta(days=expiring_within))
    return list(session.scalars(query.order_by(Exemption.id.desc()).limit(limit)))


def active_exemptions(session: Session, today: date | None = None) -> pl.DataFrame:
    """The exemptions in force on ``today`` as ``EXEMPTION_SCHEMA`` for the pipeline."""
    day = today or date.today()
    rows = session.execute(select(
        Exemption.id, Exemption.list_id, Exemption.entry_id, Exemption.party_key,
        Exemption.entry_digest, Exemption.status, Exemption.expires_on,
    ).where(Exemption.status == "active", Exemption.expires_on >= day)).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=EXEMPTION_SCHEMA, orient="row")


def alert_pairs(session: Session, alert_id: int) -> list[tuple[Hit, Pair | None,
                                                               Exemption | None]]:
    """Each watchlist hit of an alert, one per (party, entry) pair, with its keys (None when
    the party's details were purged) and the open or latest exemption of that pair."""
    hits = session.scalars(select(Hit).where(Hit.alert_id == alert_id)
                           .order_by(Hit.score.desc(), Hit.id)).all()
    if not hits:
        return []
    seen: set[tuple[str, str, str, str]] = set()
    shown: list[tuple[Hit, Pair | None]] = []
    for hit, found in zip(hits, _pairs(session, session.get_one(Alert, alert_id), hits),
                          strict=True):
        pair = None if isinstance(found, ExemptionError) else found
        key = ((pair.party_key, pair.entry_digest) if pair else (str(hit.id), ""))
        if (hit.list_id, hit.entry_id, *key) not in seen:
            seen.add((hit.list_id, hit.entry_id, *key))
            shown.append((hit, pair))
    latest = _latest_exemptions(session, [pair for _, pair in shown if pair is not None])
    return [(hit, pair, latest.get(_pair_key(pair)) if pair else None) for hit, pair in shown]


def _pair_key(pair: Pair) -> tuple[str, str, str, str]:
    return (pair.list_id, pair.entry_id, pair.party_key, pair.entry_digest)


def _latest_exemptions(session: Session, pairs: list[Pair]
                       ) -> dict[tuple[str, str, str, str], Exemption]:
    """The newest exemption of each pair, in one statement."""
    if not pairs:
        return {}
    latest: dict[tuple[str, str, str, str], Exemption] = {}
    for exemption in session.scalars(select(Exemption).where(
            tuple_(Exemption.list_id, Exemption.entry_id, Exemption.party_key,
                   Exemption.entry_digest).in_({_pair_key(p) for p in pairs}))
            .order_by(Exemption.id.desc())):
        latest.setdefault((exemption.list_id, exemption.entry_id, exemption.party_key,
                           exemption.entry_digest), exemption)
    return latest


def exemption_lists(session: Session) -> list[str]:
    """The lists some exemption is about, in order (the list filter's menu)."""
    return list(session.scalars(select(Exemption.list_id).distinct()
                                .order_by(Exemption.list_id)))
