"""What the alert pages say of an alert's subjects across batches: for the alert page, each
subject with its other alerts (and the decisions on them) and its cases; for the queue,
which alerts are about a subject already under a case. Both are a few indexed reads,
whatever the store holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from aml_screen.store.models import Alert, AlertSubject, Case, CaseAlert, PartySubject, Subject

OTHER_ALERTS = 20


@dataclass(frozen=True)
class SubjectContext:
    subject: Subject
    batches: int
    other_alerts: list[Alert]
    """The subject's other alerts, newest first (at most ``OTHER_ALERTS``)."""
    other_alert_count: int
    cases: list[Case]


def subject_contexts(session: Session, alert_id: int) -> list[SubjectContext]:
    """The subjects alert ``alert_id`` is about, each with what the store holds of it."""
    found = []
    subject_ids = session.scalars(select(AlertSubject.subject_id).where(
        AlertSubject.alert_id == alert_id).distinct().order_by(AlertSubject.subject_id)).all()
    for subject_id in subject_ids:
        subject = session.get(Subject, subject_id)
        if subject is None:
            continue
        theirs = select(AlertSubject.alert_id).where(AlertSubject.subject_id == subject_id,
                                                     AlertSubject.alert_id != alert_id)
        found.append(SubjectContext(
            subject=subject,
            batches=session.scalar(select(func.count(func.distinct(PartySubject.batch_id)))
                                   .where(PartySubject.subject_id == subject_id)) or 0,
            other_alerts=list(session.scalars(select(Alert).where(Alert.id.in_(theirs))
                                              .order_by(Alert.id.desc())
                                              .limit(OTHER_ALERTS))),
            other_alert_count=session.scalar(select(func.count()).select_from(
                theirs.distinct().subquery())) or 0,
            cases=list(session.scalars(select(Case).where(Case.id.in_(
                select(CaseAlert.case_id).where(CaseAlert.alert_id.in_(
                    select(AlertSubject.alert_id).where(
                        AlertSubject.subject_id == subject_id))))).order_by(Case.id))),
        ))
    return found


def cases_of_subjects(session: Session, alert_ids: Sequence[int]) -> dict[int, list[int]]:
    """For each of ``alert_ids`` whose subject (any of them) has an alert in a case: the
    case ids, smallest first."""
    if not alert_ids:
        return {}
    mine, same = aliased(AlertSubject), aliased(AlertSubject)
    rows = session.execute(
        select(mine.alert_id, CaseAlert.case_id).distinct()
        .join(same, same.subject_id == mine.subject_id)
        .join(CaseAlert, CaseAlert.alert_id == same.alert_id)
        .where(mine.alert_id.in_(list(alert_ids))).order_by(mine.alert_id, CaseAlert.case_id))
    found: dict[int, list[int]] = {}
    for alert_id, case_id in rows:
        found.setdefault(alert_id, []).append(case_id)
    return found
