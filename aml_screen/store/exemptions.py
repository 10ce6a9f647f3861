"""Exemptions: a watchlist hit closed as a false positive, remembered for later batches.

An investigator proposes one from a stored hit; a supervisor who is not the proposer
approves or rejects it (four-eyes, checked on the user's identity); a supervisor can revoke
it. Each step checks the version the user saw and is audited with the state before and
after, in the caller's transaction. The pair's keys are computed from the stored rows with
the same functions the pipeline uses on the batch frame, so they match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from aml_screen.errors import InputError
from aml_screen.exemptions import ENTRY_LISTS, EXEMPTION_SCHEMA, entry_digests, party_keys
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


def _party_row(session: Session, hit: Hit) -> dict[str, Any]:
    alert = session.get_one(Alert, hit.alert_id)
    txn = session.scalars(select(Transaction).where(
        Transaction.batch_id == alert.batch_id,
        Transaction.transaction_id == hit.transaction_id)).first()
    if txn is None:
        raise ExemptionError("exemptions.no_party", hit_id=hit.id)
    role = hit.party_role
    return {"account": getattr(txn, f"{role}_account"),
            "country": getattr(txn, f"{role}_country")}


def hit_pair(session: Session, hit: Hit) -> Pair:
    """The keys of ``hit``'s pair, from its transaction row and its listed entry row."""
    details = _party_row(session, hit)
    entry = session.scalars(select(ListedEntry).where(
        ListedEntry.list_version == hit.list_version, ListedEntry.list_id == hit.list_id,
        ListedEntry.entry_id == hit.entry_id)).first()
    if entry is None:
        raise ExemptionError("exemptions.no_entry", hit_id=hit.id)
    party = pl.DataFrame({"party_name_normalised": [hit.party_name_normalised],
                          "party_account": [details["account"]],
                          "party_country": [details["country"]]},
                         schema={"party_name_normalised": pl.String,
                                 "party_account": pl.String, "party_country": pl.String})
    listed = pl.DataFrame(
        {"names": [entry.names], **{c: [getattr(entry, c) or []] for c in ENTRY_LISTS},
         "remarks": [entry.remarks]},
        schema={"names": pl.List(pl.Struct({"name": pl.String, "kind": pl.String})),
                **dict.fromkeys(ENTRY_LISTS, pl.List(pl.String)), "remarks": pl.String})
    return Pair(hit_id=hit.id, list_id=hit.list_id, entry_id=hit.entry_id,
                party_key=party_keys(party).item(), entry_digest=entry_digests(listed).item(),
                party_name=hit.party_name, party_details=details)


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
    seen: set[tuple[str, str, str, str]] = set()
    found: list[tuple[Hit, Pair | None, Exemption | None]] = []
    for hit in hits:
        try:
            pair: Pair | None = hit_pair(session, hit)
        except ExemptionError:
            pair = None
        key = ((pair.party_key, pair.entry_digest) if pair else (str(hit.id), ""))
        if (hit.list_id, hit.entry_id, *key) in seen:
            continue
        seen.add((hit.list_id, hit.entry_id, *key))
        exemption = None
        if pair is not None:
            exemption = session.scalars(select(Exemption).where(
                Exemption.list_id == pair.list_id, Exemption.entry_id == pair.entry_id,
                Exemption.party_key == pair.party_key,
                Exemption.entry_digest == pair.entry_digest,
            ).order_by(Exemption.id.desc())).first()
        found.append((hit, pair, exemption))
    return found


def exemption_lists(session: Session) -> list[str]:
    """The lists some exemption is about, in order (the list filter's menu)."""
    return list(session.scalars(select(Exemption.list_id).distinct()
                                .order_by(Exemption.list_id)))
