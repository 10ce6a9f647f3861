"""Search over the whole store: the subjects a name, an account, a phone, an ID number, a
transaction id or a report reference leads to.

Identifiers are looked up as resolution writes them (``subjects.records``: ID numbers in
capitals and digits, phones with ``+`` when international, accounts without spaces), and
in the transactions themselves (an account that became a hub, a transaction id, a report
reference). Names are compared as resolution compares them, by skeleton key (the
matcher's normalisation and transliteration folding, particles dropped, tokens sorted):
the candidates are the keys holding the query's rarest tokens (``SubjectNameToken``; a
token the store has never seen is replaced by the nearest one it has, so a typing error
still finds), scored with rapidfuzz. Every read is bounded, whatever the store holds.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from aml_screen.ingest.party import id_number, phone
from aml_screen.store.audit import record
from aml_screen.store.models import (
    AlertSubject,
    CaseAlert,
    PartySubject,
    Subject,
    SubjectIdentifier,
    SubjectMerge,
    SubjectNameToken,
    SubjectProfile,
    SubjectToken,
    Transaction,
    User,
)
from aml_screen.store.party_sides import its_transaction, party_name
from aml_screen.subjects.records import account_key, name_keys

MIN_SCORE = 80.0
"""Least name score (0-100) of a result."""
CANDIDATE_KEYS = 20_000
"""Most name keys read for one query (those holding its rarest tokens)."""
TOKEN_SCORE = 80.0
"""Least rapidfuzz ratio for an unknown query token to stand for a known one."""
SPELLINGS = 12
"""Spellings shown per subject (the most frequent of its first ``SPELLING_ROWS``)."""
SPELLING_ROWS = 2_000
IDENTIFIERS_SHOWN = 12
TRANSACTION_MATCHES = 200
"""Transactions read for an account, a transaction id or a report reference."""
MATCHED_ON = ("name", "id_number", "phone", "account", "transaction", "report", "subject")
"""What a result was found by (``SubjectResult.matched_on``)."""
_SUBJECT_ID = re.compile(r"^S[0-9a-f]{16}$")


@dataclass
class SubjectResult:
    """One subject found, with what says who it is (``aml-screen search --json``)."""

    subject_id: str
    score: float
    matched_on: str
    """One of ``MATCHED_ON``."""
    names: list[str] = field(default_factory=list)
    identifiers: list[dict[str, str]] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)
    records: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    alerts: int = 0
    cases: int = 0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("first_seen", "last_seen"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def current_subject(session: Session, subject_id: str) -> str | None:
    """``subject_id``, or the subject it was merged into; None when unknown."""
    if session.get(Subject, subject_id) is not None:
        return subject_id
    into = session.scalar(select(SubjectMerge.into).where(SubjectMerge.subject_id == subject_id))
    return into if into is not None and session.get(Subject, into) is not None else None


def search_as(session: Session, viewer: User, query: str, limit: int = 20
              ) -> list[SubjectResult]:
    """``search_subjects`` for a signed-in user, audited (who looked for whom, when)."""
    results = search_subjects(session, query, limit)
    record(session, viewer, "subject.search", "search", "-",
           after={"query": query.strip()[:200], "results": len(results)})
    return results


def record_name_lookup(session: Session, viewer: User, query: dict[str, str | None],
                       candidates: int) -> None:
    """Audit a single-name look-up in the lists (``POST /api/v1/match``) as a search is
    audited: who looked for whom (the name and details asked), and how many candidates."""
    record(session, viewer, "name.lookup", "search", "-",
           after={**{key: (value or "")[:300] or None for key, value in query.items()},
                  "candidates": candidates})


def search_subjects(session: Session, query: str, limit: int = 20) -> list[SubjectResult]:
    """The subjects ``query`` leads to, best first."""
    text = query.strip()
    if not text:
        return []
    found: dict[str, tuple[float, str]] = {}

    def add(subject_ids: list[str], score: float, matched_on: str) -> None:
        for sid in subject_ids:
            if sid not in found or found[sid][0] < score:
                found[sid] = (score, matched_on)

    if _SUBJECT_ID.match(text):
        current = current_subject(session, text)
        add([current] if current else [], 100.0, "subject")
    for kind, value in _identifier_forms(text).items():
        add(list(session.scalars(select(SubjectIdentifier.subject_id).distinct().where(
            SubjectIdentifier.kind == kind, SubjectIdentifier.value == value)
            .limit(TRANSACTION_MATCHES))), 100.0, kind)
    for matched_on, condition, side in (
            ("transaction", Transaction.transaction_id == text, None),
            ("report", Transaction.report_id == text, None),
            ("account", or_(Transaction.originator_account == text,
                            Transaction.beneficiary_account == text), text)):
        add(_subjects_of_transactions(session, condition, side), 100.0, matched_on)
    for sid, score in _by_name(session, text).items():
        add([sid], score, "name")
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    records = dict(session.execute(select(Subject.id, Subject.records).where(
        Subject.id.in_([sid for sid, _ in ranked[:limit * 5]]))).all())
    ranked = sorted(ranked[:limit * 5], key=lambda item: (-item[1][0], -records.get(item[0], 0),
                                                          item[0]))[:limit]
    return [describe(session, sid, score, matched_on) for sid, (score, matched_on) in ranked
            if sid in records]


def _identifier_forms(text: str) -> dict[str, str]:
    """The query as each kind of identifier would be stored (kinds it cannot be left out)."""
    frame = pl.DataFrame({"q": [text]}).select(
        id_number=id_number(pl.col("q")), phone=phone(pl.col("q")),
        account=account_key(pl.col("q")))
    return {kind: value for kind, value in frame.row(0, named=True).items() if value}


def _subjects_of_transactions(session: Session, condition: Any, account: str | None
                              ) -> list[str]:
    """The parties of the transactions meeting ``condition``: all of them, or with an
    ``account`` the side holding it."""
    matches = select(Transaction.batch_id, Transaction.transaction_id,
                     Transaction.originator_account, Transaction.beneficiary_account).where(
        condition).limit(TRANSACTION_MATCHES).subquery()
    joined = (PartySubject.batch_id == matches.c.batch_id) & (
        PartySubject.transaction_id == matches.c.transaction_id)
    if account is not None:
        joined &= or_((PartySubject.party_role == "originator")
                      & (matches.c.originator_account == account),
                      (PartySubject.party_role == "beneficiary")
                      & (matches.c.beneficiary_account == account))
    return list(session.scalars(select(PartySubject.subject_id).distinct().join(
        matches, joined)))


def _by_name(session: Session, text: str) -> dict[str, float]:
    """Subject id → best name score, for names scoring ``MIN_SCORE`` or more."""
    key = name_keys(pl.Series([text])).item()
    if not key:
        return {}
    tokens = key.split(" ")
    counts = dict(session.execute(select(SubjectToken.skeleton, SubjectToken.df).where(
        SubjectToken.skeleton.in_(tokens))).all())
    known = []
    for token in tokens:
        near = token if token in counts else _nearest_token(session, token)
        if near is not None and near not in counts:
            counts[near] = session.scalar(select(SubjectToken.df).where(
                SubjectToken.skeleton == near)) or 0
        known.append(near or token)
    key = " ".join(sorted(known))
    if not counts:
        return {}
    rarest = sorted(counts, key=lambda t: (counts[t], t))[:2]
    candidates = list(session.scalars(select(SubjectNameToken.name_key).distinct().where(
        SubjectNameToken.skeleton.in_(rarest)).limit(CANDIDATE_KEYS)))
    if not candidates:
        return {}
    whole = process.extract(key, candidates, scorer=fuzz.token_sort_ratio, limit=None,
                            score_cutoff=MIN_SCORE)
    subset = process.extract(key, candidates, scorer=fuzz.token_set_ratio, limit=None,
                             score_cutoff=MIN_SCORE / 0.9) if " " in key else []
    scores: dict[str, float] = {}
    for name_key, score, _ in [*whole, *((k, s * 0.9, i) for k, s, i in subset)]:
        scores[name_key] = max(scores.get(name_key, 0.0), float(score))
    best = sorted(scores, key=lambda k: -scores[k])[:200]
    rows = session.execute(select(SubjectProfile.subject_id, SubjectProfile.name_key).distinct()
                           .where(SubjectProfile.name_key.in_(best))).all()
    found: dict[str, float] = {}
    for sid, name_key in rows:
        found[sid] = max(found.get(sid, 0.0), round(scores[name_key], 1))
    return found


def _nearest_token(session: Session, token: str) -> str | None:
    """The stored token nearest to one the store has never seen (a typing error), among
    tokens of the same first letter and about the same length."""
    if len(token) < 3:
        return None
    pool = list(session.scalars(select(SubjectToken.skeleton).where(
        SubjectToken.skeleton.like(f"{token[0]}%"),
        func.length(SubjectToken.skeleton).between(len(token) - 2, len(token) + 2))
        .limit(CANDIDATE_KEYS)))
    best = process.extractOne(token, pool, scorer=fuzz.ratio, score_cutoff=TOKEN_SCORE)
    return best[0] if best else None


def describe(session: Session, subject_id: str, score: float = 100.0,
             matched_on: str = "subject") -> SubjectResult:
    """What the store knows of one subject, in bounded reads."""
    result = SubjectResult(subject_id=subject_id, score=score, matched_on=matched_on)
    result.records = session.scalar(select(Subject.records).where(
        Subject.id == subject_id)) or 0
    per_batch = session.execute(select(PartySubject.batch_id, func.count()).where(
        PartySubject.subject_id == subject_id).group_by(PartySubject.batch_id)
        .order_by(PartySubject.batch_id)).all()
    result.batches = [batch_id for batch_id, _ in per_batch]
    side = its_transaction()
    parties = select(party_name().label("name")).select_from(PartySubject).join(
        Transaction, side).where(
        PartySubject.subject_id == subject_id)
    sample = parties.limit(SPELLING_ROWS).subquery()
    spellings = session.execute(select(sample.c.name, func.count()).where(
        sample.c.name.is_not(None)).group_by(sample.c.name).order_by(
        func.count().desc(), sample.c.name).limit(SPELLINGS)).all()
    result.names = [spelling for spelling, _ in spellings]
    seen = session.execute(select(func.min(Transaction.booked_at), func.max(
        Transaction.booked_at)).select_from(PartySubject).join(Transaction, side).where(
        PartySubject.subject_id == subject_id)).one()
    result.first_seen, result.last_seen = seen[0], seen[1]
    result.identifiers = [{"kind": kind, "value": value} for kind, value in session.execute(
        select(SubjectIdentifier.kind, SubjectIdentifier.value).distinct().where(
            SubjectIdentifier.subject_id == subject_id).order_by(
            SubjectIdentifier.kind, SubjectIdentifier.value).limit(IDENTIFIERS_SHOWN))]
    alerts = select(AlertSubject.alert_id).where(AlertSubject.subject_id == subject_id)
    result.alerts = session.scalar(select(func.count(func.distinct(AlertSubject.alert_id)))
                                   .where(AlertSubject.subject_id == subject_id)) or 0
    result.cases = session.scalar(select(func.count(func.distinct(CaseAlert.case_id))).where(
        CaseAlert.alert_id.in_(alerts))) or 0
    return result
