"""Seizure evidence packages of a case: prepared by an investigator from the case as it
stands, approved by a *different* supervisor (four-eyes on the user's identity, not only the
role), voided by any later change of the case (``cases.void_packages``), downloaded exactly
as stored. Each step is audited; preparation and approval record the ZIP's SHA-256."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aml_screen import __version__
from aml_screen.evidence import (
    AlertInfo,
    AuditInfo,
    CaseInfo,
    HitInfo,
    LinkInfo,
    LinkNodeInfo,
    ListedEntryInfo,
    NoteInfo,
    PackageInput,
    RuleHitInfo,
    TransactionInfo,
    build_package,
)
from aml_screen.i18n import LANGUAGES
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.cases import CaseDetail, CaseError, case_detail, get_case, locked_case
from aml_screen.store.errors import NotFoundError, StoreError
from aml_screen.store.models import AlertSubject, EvidencePackage, User
from aml_screen.store.subject_graph import subject_graph
from aml_screen.store.webhook_outbox import evidence_approved

APPROVER_ROLE = "supervisor"


def case_subject(session: Session, alert_ids: list[int]) -> str | None:
    """The resolved subject most of the case's alerts are about."""
    counts = session.execute(select(AlertSubject.subject_id, func.count()).where(
        AlertSubject.alert_id.in_(alert_ids)).group_by(AlertSubject.subject_id)).all()
    ranked = sorted(counts, key=lambda row: (-row[1], row[0]))
    return ranked[0][0] if ranked else None


def link_chart(session: Session, alert_ids: list[int]) -> tuple[list[LinkNodeInfo],
                                                                 list[LinkInfo]]:
    """The case subject's link chart at two hops, as plain data."""
    subject_id = case_subject(session, alert_ids)
    if subject_id is None:
        return [], []
    graph = subject_graph(session, subject_id, hops=2)
    return ([LinkNodeInfo(subject_id=n.subject_id, name=n.name, hop=n.hop, listed=n.listed,
                          alerted=n.alerted) for n in graph.nodes],
            [LinkInfo(source=e.source, target=e.target, currency=e.currency, total=e.total,
                      count=e.count) for e in graph.edges])


def package_input(detail: CaseDetail, preparer: User, prepared_at: datetime,
                  language: str, chart: tuple[list[LinkNodeInfo], list[LinkInfo]] = ([], [])
                  ) -> PackageInput:
    """Plain copies of everything the case detail holds, for ``build_package``."""
    case = detail.case
    entries = {}
    for found in detail.alerts:
        for view in found.hits:
            if view.entry is not None:
                e = view.entry
                entries[(e.list_id, e.list_version, e.entry_id)] = ListedEntryInfo(
                    list_id=e.list_id, list_version=e.list_version, entry_id=e.entry_id,
                    entity_type=e.entity_type, names=list(e.names),
                    birth_dates=list(e.birth_dates), nationalities=list(e.nationalities),
                    countries=list(e.countries), programmes=list(e.programmes),
                    listed_on=e.listed_on, remarks=e.remarks)
    return PackageInput(
        case=CaseInfo(id=case.id, version=case.version, title=case.title,
                      subject_type=case.subject_type, subject_id=case.subject_id,
                      subject_name=case.subject_name, status=case.status,
                      disposition=case.disposition, narrative=case.narrative),
        prepared_by=preparer.username, prepared_at=prepared_at, language=language,
        engine_version=__version__,
        alerts=[AlertInfo(id=a.alert.id, alert_key=a.alert.alert_key,
                          batch_id=a.alert.batch_id, risk_score=a.alert.risk_score,
                          status=a.alert.status, disposition=a.alert.disposition,
                          close_reason=a.alert.close_reason, created_at=a.alert.created_at)
                for a in detail.alerts],
        transactions=[TransactionInfo(
            batch_id=t.batch_id, transaction_id=t.transaction_id, booked_at=t.booked_at,
            amount=t.amount, currency=t.currency, originator_name=t.originator_name,
            originator_account=t.originator_account, originator_country=t.originator_country,
            beneficiary_name=t.beneficiary_name, beneficiary_account=t.beneficiary_account,
            beneficiary_country=t.beneficiary_country, channel=t.channel, purpose=t.purpose)
            for t in detail.transactions],
        hits=[HitInfo(alert_id=v.hit.alert_id, transaction_id=v.hit.transaction_id,
                      party_role=v.hit.party_role, party_name=v.hit.party_name,
                      list_id=v.hit.list_id, list_version=v.hit.list_version,
                      entry_id=v.hit.entry_id, matched_name=v.hit.matched_name,
                      name_kind=v.hit.name_kind, programmes=list(v.hit.programmes),
                      score=v.hit.score, explanation=dict(v.hit.explanation))
              for a in detail.alerts for v in a.hits],
        rule_hits=[RuleHitInfo(alert_id=r.alert_id, rule_id=r.rule_id, typology=r.typology,
                               severity_score=r.severity_score,
                               transaction_ids=list(r.transaction_ids),
                               window_start=r.window_start, window_end=r.window_end,
                               evidence=dict(r.evidence))
                   for a in detail.alerts for r in a.rule_hits],
        listed_entries=[entries[k] for k in sorted(entries)],
        audit_events=[AuditInfo(seq=e.seq, at=e.at, actor_name=e.actor_name, action=e.action,
                                object_type=e.object_type, object_id=e.object_id,
                                before=e.before, after=e.after, prev_hash=e.prev_hash,
                                hash=e.hash)
                      for e in detail.events],
        notes=[NoteInfo(author=name, created_at=note.created_at, body=note.body)
               for note, name in detail.notes],
        link_nodes=chart[0], links=chart[1],
    )


def get_package(session: Session, case_id: int, package_id: int) -> EvidencePackage:
    package = session.get(EvidencePackage, package_id)
    if package is None or package.case_id != case_id:
        raise NotFoundError("evidence.not_found", case_id=case_id, package_id=package_id)
    return package


def prepare(session: Session, case_id: int, actor: User, expected_version: int,
            language: str | None = None) -> EvidencePackage:
    """Build the package from the case at the version the user saw, store it, and audit
    ``evidence.prepared`` with its SHA-256. Written in ``language`` (default: the
    preparer's)."""
    case = locked_case(session, case_id, expected_version)
    if case.purged_at is not None:
        raise CaseError("evidence.purged")
    lang = language if language in LANGUAGES else actor.language
    prepared_at = utcnow()
    detail = case_detail(session, case.id)
    chart = link_chart(session, [found.alert.id for found in detail.alerts])
    content, manifest = build_package(package_input(detail, actor, prepared_at, lang, chart))
    digest = hashlib.sha256(content).hexdigest()
    package = EvidencePackage(
        case_id=case.id, status="prepared", language=lang,
        file_name=f"case-{case.id}-v{case.version}-{prepared_at:%Y%m%dT%H%M%SZ}.zip",
        sha256=digest, size_bytes=len(content), content=content, manifest=manifest,
        case_version=case.version, prepared_by_id=actor.id, prepared_at=prepared_at)
    session.add(package)
    session.flush()
    record(session, actor, "evidence.prepared", "evidence_package", package.id,
           after={"case_id": case.id, "case_version": case.version, "sha256": digest,
                  "size_bytes": len(content), "file_name": package.file_name,
                  "language": lang})
    return package


def _intact(package: EvidencePackage) -> None:
    if hashlib.sha256(package.content).hexdigest() != package.sha256:
        raise StoreError("evidence.tampered")


def approve(session: Session, case_id: int, package_id: int, actor: User) -> EvidencePackage:
    """Approve as a supervisor who did not prepare the package, while it is still prepared
    and the case still at the version it was prepared from; binds the SHA-256."""
    if actor.role != APPROVER_ROLE:
        raise CaseError("evidence.supervisor_only")
    package = get_package(session, case_id, package_id)
    if package.prepared_by_id == actor.id:
        raise CaseError("evidence.four_eyes")
    if package.status != "prepared":
        raise CaseError("evidence.not_prepared", status=package.status)
    if get_case(session, case_id).version != package.case_version:
        raise CaseError("evidence.stale")
    _intact(package)
    package.status, package.approved_by_id = "approved", actor.id
    package.approved_at, package.approved_sha256 = utcnow(), package.sha256
    session.flush()
    record(session, actor, "evidence.approved", "evidence_package", package.id,
           before={"status": "prepared"},
           after={"status": "approved", "case_id": case_id,
                  "case_version": package.case_version, "sha256": package.sha256,
                  "prepared_by_id": package.prepared_by_id})
    evidence_approved(session, package)
    return package


def download(session: Session, case_id: int, package_id: int,
             actor: User) -> tuple[str, bytes]:
    """The file name and the stored bytes (checked against the recorded SHA-256); audited.
    A void package is still given, as it was approved, its file name marked ``VOID-``: it
    no longer describes the case, but what was handed over must stay verifiable."""
    package = get_package(session, case_id, package_id)
    _intact(package)
    record(session, actor, "evidence.downloaded", "evidence_package", package.id,
           after={"case_id": case_id, "sha256": package.sha256, "status": package.status})
    name = f"VOID-{package.file_name}" if package.status == "void" else package.file_name
    return name, package.content


def live_packages(session: Session, case_id: int) -> dict[int, str]:
    """The case's packages not void, each with its status (read before and after a change
    tells which ones the change voided)."""
    rows = session.execute(select(EvidencePackage.id, EvidencePackage.status).where(
        EvidencePackage.case_id == case_id, EvidencePackage.status != "void"))
    return {package_id: status for package_id, status in rows}
