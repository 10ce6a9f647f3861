"""A case's STR gathered from the store, and the audited export.

Only a case closed as ``suspicious_reported`` with a narrative can be exported, by a
deployment whose goAML entity id is set; every transaction of the case's alerts goes in,
with its amount in the local currency (goAML's ``amount_local``). A transaction in another
currency is refused rather than converted: the batch carries no exchange rate.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from aml_screen.countries import to_alpha2
from aml_screen.goaml.model import GoamlError, Party, Report, Transaction
from aml_screen.goaml.xml import build_str
from aml_screen.i18n import translate
from aml_screen.settings import Settings
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.errors import NotFoundError
from aml_screen.store.models import Alert, Case, CaseAlert, User
from aml_screen.store.models import Transaction as StoredTransaction

EXPORTABLE = "suspicious_reported"


def exportable(case: Case) -> bool:
    """Whether the case may be exported at all (what the case page shows the link for)."""
    return case.disposition == EXPORTABLE and case.purged_at is None


def entity_id(settings: Settings) -> str:
    """``rentity_id``: the identifier the FIU gave this reporting entity (a number)."""
    value = settings.goaml_entity_id.strip()
    if not value:
        raise GoamlError("goaml.no_entity_id")
    if not value.isdigit() or int(value) < 1:
        raise GoamlError("goaml.bad_entity_id", value=value)
    return value


def _transactions(session: Session, case: Case, currency: str) -> tuple[Transaction, ...]:
    pairs = session.execute(select(Alert.batch_id, Alert.transaction_ids)
                            .join(CaseAlert, CaseAlert.alert_id == Alert.id)
                            .where(CaseAlert.case_id == case.id)).all()
    wanted = sorted({(row.batch_id, number) for row in pairs for number in row.transaction_ids})
    rows: dict[tuple[int, str], StoredTransaction] = {}
    for start in range(0, len(wanted), 500):
        for row in session.scalars(select(StoredTransaction).where(tuple_(
                StoredTransaction.batch_id, StoredTransaction.transaction_id)
                .in_(wanted[start:start + 500]))):
            rows.setdefault((row.batch_id, row.transaction_id), row)
    if not rows:
        raise GoamlError("goaml.no_transactions", case_id=case.id)
    found = []
    for row in sorted(rows.values(), key=lambda r: (r.booked_at is None, r.booked_at,
                                                     r.transaction_id)):
        if row.amount is None:
            raise GoamlError("goaml.no_amount", transaction=row.transaction_id)
        if (row.currency or "").upper() != currency:
            raise GoamlError("goaml.foreign_currency", transaction=row.transaction_id,
                             currency=row.currency or "-", local=currency)
        found.append(Transaction(
            number=row.transaction_id, booked_at=row.booked_at, amount_local=row.amount,
            channel=row.channel, purpose=row.purpose,
            source=Party(row.originator_name or "", row.originator_account,
                         to_alpha2(row.originator_country)),
            target=Party(row.beneficiary_name or "", row.beneficiary_account,
                         to_alpha2(row.beneficiary_country))))
    return tuple(found)


def case_report(session: Session, case_id: int, settings: Settings, reporter: User,
                now: datetime) -> Report:
    """The STR of case ``case_id`` as exported by ``reporter``; ``GoamlError`` saying why
    when it cannot be exported."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("goaml.case_not_found", case_id=case_id)
    if case.purged_at is not None:
        raise GoamlError("goaml.purged", case_id=case_id)
    if case.disposition != EXPORTABLE:
        raise GoamlError("goaml.not_suspicious", case_id=case_id,
                         disposition=case.disposition or "-")
    narrative = (case.narrative or "").strip()
    if not narrative:
        raise GoamlError("goaml.no_narrative", case_id=case_id)
    rentity = entity_id(settings)
    currency = settings.local_currency.strip().upper()
    transactions = _transactions(session, case, currency)
    return Report(
        entity_id=rentity, reference=f"AML-SCREEN-CASE-{case.id}", submitted_at=now,
        local_currency=currency, reporter=reporter.username, reason=narrative,
        action=translate("goaml.action", settings.language, case_id=case.id,
                         transactions=len(transactions)),
        transactions=transactions)


def export_case(session: Session, case_id: int, settings: Settings, reporter: User) -> bytes:
    """The STR XML of the case, recorded in the audit trail (``case.str_exported`` with the
    file's SHA-256) in the caller's transaction."""
    body = build_str(case_report(session, case_id, settings, reporter, utcnow()))
    record(session, reporter, "case.str_exported", "case", case_id,
           after={"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body),
                  "format": "goaml-5.0.2-STR"})
    return body
