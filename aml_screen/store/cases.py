"""Cases: alerts grouped about one subject, with notes, a narrative, an assignee and a
disposition. Every change checks the version the user saw (optimistic locking), is audited,
and voids the case's evidence packages that are not yet void: a package is only good for the
case version it was prepared from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from aml_screen.errors import InputError
from aml_screen.store.alert_queue import AlertDetail, alert_detail
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.errors import ConflictError, NotFoundError
from aml_screen.store.models import (
    CASE_DISPOSITIONS,
    CASE_STATUSES,
    Alert,
    AlertSubject,
    AuditEvent,
    Case,
    CaseAlert,
    CaseNote,
    EvidencePackage,
    Transaction,
    User,
)
from aml_screen.store.paging import Page, assigned_to, page_rows
from aml_screen.store.triage import get_alert

MAX_TITLE = 200
MAX_TEXT = 20_000
VOID_REASON = "case_changed"


class CaseError(InputError):
    """A case step that is not allowed (closed case, other subject, missing disposition)."""

    http_status = 400


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("cases.not_found", case_id=case_id)
    return case


def _state(case: Case) -> dict[str, Any]:
    return {"title": case.title, "status": case.status, "disposition": case.disposition,
            "narrative": case.narrative, "assignee_id": case.assignee_id,
            "version": case.version}


def locked_case(session: Session, case_id: int, expected_version: int | None) -> Case:
    """The case, provided nobody saved it since the user read ``expected_version``
    (None: an append, such as a note, that cannot overwrite anyone's work)."""
    case = get_case(session, case_id)
    if expected_version is not None and case.version != expected_version:
        raise ConflictError("cases.conflict", case_id=case_id)
    return case


def _open(case: Case) -> None:
    if case.status != "open":
        raise CaseError("cases.closed", case_id=case.id)


def _save(session: Session, case: Case, actor: User, action: str, before: dict[str, Any],
          **details: Any) -> Case:
    """Flush the change (bumping the version even when only a related row changed), audit
    it, and void the packages prepared from an earlier version."""
    case.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError("cases.conflict", case_id=case.id) from None
    record(session, actor, action, "case", case.id, before=before,
           after={**_state(case), **details})
    void_packages(session, case, actor, action)
    return case


def void_packages(session: Session, case: Case, actor: User | None, cause: str) -> int:
    """Void every prepared or approved package of ``case`` not made from its current
    version; each voiding is audited. Returns how many were voided."""
    packages = session.scalars(select(EvidencePackage).where(
        EvidencePackage.case_id == case.id, EvidencePackage.status != "void",
        EvidencePackage.case_version != case.version))
    count = 0
    for package in packages:
        before = {"status": package.status, "sha256": package.sha256,
                  "case_version": package.case_version}
        package.status, package.voided_at = "void", utcnow()
        package.void_reason = f"{VOID_REASON}:{cause}"[:120]
        record(session, actor, "evidence.voided", "evidence_package", package.id,
               before=before, after={"status": "void", "reason": package.void_reason,
                                     "case_id": case.id, "case_version": case.version})
        count += 1
    session.flush()
    return count


def _same_subject(session: Session, case: Case, alert: Alert, others: list[int]) -> None:
    """Refuse an alert about another subject than the case's: another alert key, unless
    subject resolution found it about the same person as one of the alerts ``others``
    (Iyad Ag Ghaly in one bank's batch, IYAD AG GALI in another's)."""
    if (alert.subject_type, alert.subject_id) == (case.subject_type, case.subject_id):
        return
    theirs = select(AlertSubject.subject_id).where(AlertSubject.alert_id.in_(others))
    if others and session.scalar(select(AlertSubject.id).where(
            AlertSubject.alert_id == alert.id, AlertSubject.subject_id.in_(theirs)).limit(1)):
        return
    raise CaseError("cases.other_subject", alert_id=alert.id, subject=case.subject_name)


def open_case(session: Session, actor: User, alert_ids: list[int],
              title: str | None = None) -> Case:
    """A new open case about the subject of the first alert, holding ``alert_ids`` (all
    about that subject), assigned to its creator."""
    if not alert_ids:
        raise CaseError("cases.no_alerts")
    alerts = [get_alert(session, alert_id) for alert_id in dict.fromkeys(alert_ids)]
    first = alerts[0]
    case = Case(title=(title or "").strip()[:MAX_TITLE] or first.subject_name,
                subject_type=first.subject_type, subject_id=first.subject_id,
                subject_name=first.subject_name, status="open", created_by_id=actor.id,
                assignee_id=actor.id)
    for alert in alerts[1:]:
        _same_subject(session, case, alert, [first.id])
    session.add(case)
    session.flush()
    for alert in alerts:
        session.add(CaseAlert(case_id=case.id, alert_id=alert.id, added_by_id=actor.id))
    session.flush()
    record(session, actor, "case.opened", "case", case.id,
           after={**_state(case), "subject_type": case.subject_type,
                  "subject_id": case.subject_id, "alert_ids": [a.id for a in alerts]})
    return case


def case_alert_ids(session: Session, case_id: int) -> list[int]:
    return list(session.scalars(select(CaseAlert.alert_id).where(CaseAlert.case_id == case_id)
                                .order_by(CaseAlert.alert_id)))


def add_alert(session: Session, case_id: int, actor: User, alert_id: int,
              expected_version: int) -> Case:
    case = locked_case(session, case_id, expected_version)
    _open(case)
    alert = get_alert(session, alert_id)
    _same_subject(session, case, alert, case_alert_ids(session, case.id))
    if session.get(CaseAlert, (case.id, alert.id)) is not None:
        raise CaseError("cases.alert_already_in", alert_id=alert_id, case_id=case_id)
    before = {**_state(case), "alert_ids": case_alert_ids(session, case.id)}
    session.add(CaseAlert(case_id=case.id, alert_id=alert.id, added_by_id=actor.id))
    return _save(session, case, actor, "case.alert_added", before, alert_id=alert.id,
                 alert_ids=[*before["alert_ids"], alert.id])


def remove_alert(session: Session, case_id: int, actor: User, alert_id: int,
                 expected_version: int) -> Case:
    case = locked_case(session, case_id, expected_version)
    _open(case)
    link = session.get(CaseAlert, (case.id, alert_id))
    if link is None:
        raise CaseError("cases.alert_not_in", alert_id=alert_id, case_id=case_id)
    ids = case_alert_ids(session, case.id)
    if ids == [alert_id]:
        raise CaseError("cases.last_alert")
    before = {**_state(case), "alert_ids": ids}
    session.delete(link)
    return _save(session, case, actor, "case.alert_removed", before, alert_id=alert_id,
                 alert_ids=[i for i in ids if i != alert_id])


def add_note(session: Session, case_id: int, actor: User, body: str) -> CaseNote:
    """Notes are appended (they cannot overwrite anyone's work) but still change the case:
    its version goes up and its packages are voided."""
    text = body.strip()
    if not text:
        raise CaseError("cases.note_empty")
    case = locked_case(session, case_id, None)
    _open(case)
    note = CaseNote(case_id=case.id, author_id=actor.id, body=text[:MAX_TEXT])
    session.add(note)
    before = _state(case)
    session.flush()
    _save(session, case, actor, "case.note_added", before, note_id=note.id, body=note.body)
    return note


def edit(session: Session, case_id: int, actor: User, expected_version: int, title: str,
         narrative: str) -> Case:
    """Change the title and the narrative (the account of the suspicion)."""
    case = locked_case(session, case_id, expected_version)
    _open(case)
    new_title = title.strip()[:MAX_TITLE]
    if not new_title:
        raise CaseError("cases.title_required")
    new_narrative = narrative.strip()[:MAX_TEXT] or None
    if (new_title, new_narrative) == (case.title, case.narrative):
        return case
    before = _state(case)
    case.title, case.narrative = new_title, new_narrative
    return _save(session, case, actor, "case.edited", before)


def close(session: Session, case_id: int, actor: User, expected_version: int,
          disposition: str) -> Case:
    case = locked_case(session, case_id, expected_version)
    _open(case)
    if disposition not in CASE_DISPOSITIONS:
        raise CaseError("cases.disposition_required")
    before = _state(case)
    case.status, case.disposition, case.closed_at = "closed", disposition, utcnow()
    return _save(session, case, actor, "case.closed", before)


def reopen(session: Session, case_id: int, actor: User, expected_version: int) -> Case:
    case = locked_case(session, case_id, expected_version)
    if case.status != "closed":
        raise CaseError("cases.not_closed", case_id=case_id)
    before = _state(case)
    case.status, case.disposition, case.closed_at = "open", None, None
    return _save(session, case, actor, "case.reopened", before)


def assign(session: Session, case_id: int, actor: User, assignee: User | None,
           expected_version: int) -> Case:
    if assignee is not None and not assignee.active:
        raise CaseError("cases.assignee_inactive", username=assignee.username)
    case = locked_case(session, case_id, expected_version)
    before = _state(case)
    case.assignee_id = assignee.id if assignee else None
    return _save(session, case, actor, "case.assigned", before)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = "open"
    """``open``, ``closed`` or None for every case."""
    assignee: str | None = None
    """A user name, ``me`` (with ``viewer_id``) or ``none`` for unassigned cases."""
    viewer_id: int | None = None
    subject: str | None = None
    """Text found in the subject's name or identifier, or in the title (any case)."""
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class CaseRow:
    case: Case
    assignee: str | None
    alerts: int


CasePage = Page[CaseRow]


def _filtered(query: Any, flt: CaseFilter) -> Any:
    if flt.status in CASE_STATUSES:
        query = query.where(Case.status == flt.status)
    assignee = assigned_to(Case.assignee_id, flt.assignee, flt.viewer_id)
    if assignee is not None:
        query = query.where(assignee)
    if flt.subject:
        needle = f"%{flt.subject.strip().lower()}%"
        query = query.where(or_(func.lower(Case.subject_name).like(needle),
                                func.lower(Case.subject_id).like(needle),
                                func.lower(Case.title).like(needle)))
    return query


def list_cases(session: Session, flt: CaseFilter) -> CasePage:
    """One page of cases matching ``flt``, most recently changed first."""
    alerts = (select(func.count(CaseAlert.alert_id)).where(CaseAlert.case_id == Case.id)
              .correlate(Case).scalar_subquery())
    query = (_filtered(select(Case, User.username, alerts)
                       .outerjoin(User, User.id == Case.assignee_id), flt)
             .order_by(Case.updated_at.desc(), Case.id.desc()))
    rows = page_rows(session, query, flt.page, flt.per_page)
    return Page([CaseRow(case, name, count) for case, name, count in rows.items],
                rows.total, rows.page, rows.per_page)


def cases_of_alert(session: Session, alert_id: int) -> list[Case]:
    return list(session.scalars(select(Case).join(CaseAlert, CaseAlert.case_id == Case.id)
                                .where(CaseAlert.alert_id == alert_id).order_by(Case.id)))


def open_cases_about(session: Session, subject_type: str, subject_id: str,
                     excluding_alert: int | None = None) -> list[Case]:
    """Open cases about this subject (those an alert of the subject can be added to)."""
    query = select(Case).where(Case.status == "open", Case.subject_type == subject_type,
                               Case.subject_id == subject_id).order_by(Case.id)
    if excluding_alert is not None:
        query = query.where(~select(CaseAlert.alert_id).where(
            CaseAlert.case_id == Case.id, CaseAlert.alert_id == excluding_alert).exists())
    return list(session.scalars(query))


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    created_by: str
    assignee: str | None
    alerts: list[AlertDetail]
    transactions: list[Transaction]
    """The subject's transactions from the case's alerts, oldest first, each once."""
    notes: list[tuple[CaseNote, str]]
    packages: list[tuple[EvidencePackage, str, str | None]]
    """Each package (newest first) with its preparer's and approver's user names."""
    events: list[AuditEvent]


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {user_id: name for user_id, name in session.execute(
        select(User.id, User.username).where(User.id.in_(wanted)))}


def case_events(session: Session, case_id: int, alert_ids: list[int],
                package_ids: list[int]) -> list[AuditEvent]:
    """Audit events about the case, one of its alerts or one of its packages, in order."""
    conditions = [(AuditEvent.object_type == "case") & (AuditEvent.object_id == str(case_id))]
    if alert_ids:
        conditions.append((AuditEvent.object_type == "alert")
                          & AuditEvent.object_id.in_([str(i) for i in alert_ids]))
    if package_ids:
        conditions.append((AuditEvent.object_type == "evidence_package")
                          & AuditEvent.object_id.in_([str(i) for i in package_ids]))
    return list(session.scalars(select(AuditEvent).where(or_(*conditions))
                                .order_by(AuditEvent.seq)))


def view_case(session: Session, case_id: int, viewer: User) -> CaseDetail:
    """What the case page shows, the view audited."""
    found = case_detail(session, case_id)
    record(session, viewer, "case.view", "case", case_id,
           after={"subject_id": found.case.subject_id})
    return found


def case_detail(session: Session, case_id: int) -> CaseDetail:
    case = get_case(session, case_id)
    alert_ids = case_alert_ids(session, case.id)
    alerts = [alert_detail(session, alert_id) for alert_id in alert_ids]
    seen: dict[tuple[int, str], Transaction] = {}
    for found in alerts:
        for txn in found.transactions:
            seen.setdefault((txn.batch_id, txn.transaction_id), txn)
    transactions = sorted(seen.values(), key=lambda t: (
        t.booked_at is None, t.booked_at or case.created_at, t.transaction_id))
    notes = [(note, name) for note, name in session.execute(
        select(CaseNote, User.username).join(User, User.id == CaseNote.author_id)
        .where(CaseNote.case_id == case.id).order_by(CaseNote.created_at, CaseNote.id))]
    packages = list(session.scalars(select(EvidencePackage).where(
        EvidencePackage.case_id == case.id).order_by(EvidencePackage.id.desc())))
    names = _names(session, {case.created_by_id, case.assignee_id}
                   | {p.prepared_by_id for p in packages}
                   | {p.approved_by_id for p in packages})
    return CaseDetail(
        case=case, created_by=names.get(case.created_by_id, "?"),
        assignee=names.get(case.assignee_id) if case.assignee_id else None,
        alerts=alerts, transactions=transactions, notes=notes,
        packages=[(p, names.get(p.prepared_by_id, "?"),
                   names.get(p.approved_by_id) if p.approved_by_id else None)
                  for p in packages],
        events=case_events(session, case.id, alert_ids, [p.id for p in packages]),
    )
