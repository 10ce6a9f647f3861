"""A realistic package input built by hand (no database): a Sahel case with an Arabic-script
subject name, accented counterparties, two currencies and a hit explained token by token."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from aml_screen.evidence import (
    AlertInfo,
    AuditInfo,
    CaseInfo,
    HitInfo,
    ListedEntryInfo,
    NoteInfo,
    PackageInput,
    RuleHitInfo,
    TransactionInfo,
)

ARABIC_NAME = "عبد القادر بن حمودة"
PREPARED_AT = datetime(2026, 3, 14, 10, 30, 5, tzinfo=UTC)


def _txn(txn_id: str, day: int, amount: str, currency: str, beneficiary: str,
         purpose: str | None = None) -> TransactionInfo:
    return TransactionInfo(
        batch_id=1, transaction_id=txn_id, booked_at=datetime(2025, 3, day, 9, 41, tzinfo=UTC),
        amount=Decimal(amount), currency=currency, originator_name=ARABIC_NAME,
        originator_account="SN1644943516765657104802", originator_country="SN",
        beneficiary_name=beneficiary, beneficiary_account="ML8685631505573887056910",
        beneficiary_country="ML", channel="hawala", purpose=purpose)


def package_input(language: str = "en") -> PackageInput:
    case = CaseInfo(id=7, version=3, title="Financement présumé — Ben Hamouda",
                    subject_type="party", subject_id="abdelkader ben hamouda",
                    subject_name=ARABIC_NAME, status="open", disposition=None,
                    narrative="Virements fractionnés vers Gao ; bénéficiaire Salamata Compaoré.")
    explanation = {"scorer": "weighted_tokens", "score": 94.1,
                   "parts": {"name_score": 94.1},
                   "tokens": [{"query": "abdel", "list": "abd", "similarity": 0.95,
                               "relation": "transcription"},
                              {"query": "kader", "list": "qadir", "similarity": 0.88,
                               "relation": "typo"}],
                   "adjustments": {"birth_year_mismatch": -5.0}}
    return PackageInput(
        case=case, prepared_by="fatou", prepared_at=PREPARED_AT, language=language,
        engine_version="0.1.0",
        alerts=[AlertInfo(id=1, alert_key="a1b2c3d4e5f60718293a", batch_id=1,
                          risk_score=100.0, status="escalated", disposition=None,
                          close_reason=None,
                          created_at=datetime(2025, 3, 17, 8, 0, tzinfo=UTC))],
        transactions=[
            _txn("TX-2025-00054", 16, "578000.0000", "XOF", "Salamata Compaoré", "achat or"),
            _txn("TX-2025-00055", 18, "1250000.5000", "XOF", "Ousmane Traoré"),
            _txn("TX-2025-00056", 20, "950.2500", "EUR", "=HYPERLINK(\"http://x\")", "-cash"),
        ],
        hits=[HitInfo(alert_id=1, transaction_id="TX-2025-00054", party_role="originator",
                      party_name=ARABIC_NAME, list_id="sample_national",
                      list_version="9f" * 32, entry_id="ML-GEL-2024-010",
                      matched_name="Abd al-Qadir Ben Hamouda", name_kind="alias",
                      programmes=["ML-GEL-TERRORISME"], score=94.1,
                      explanation=explanation)],
        rule_hits=[RuleHitInfo(alert_id=1, rule_id="TF-LIST-02", typology="terrorist_financing",
                               severity_score=100.0, transaction_ids=["TX-2025-00054"],
                               window_start=None, window_end=None,
                               evidence={"list_id": "sample_national", "min_score": 85.0})],
        listed_entries=[ListedEntryInfo(
            list_id="sample_national", list_version="9f" * 32, entry_id="ML-GEL-2024-010",
            entity_type="person",
            names=[{"name": "Abdelkader Benhamouda", "kind": "primary"},
                   {"name": "Abd al-Qadir Ben Hamouda", "kind": "alias"}],
            birth_dates=["1979"], nationalities=["DZ"], countries=["ML"],
            programmes=["ML-GEL-TERRORISME"], listed_on=date(2024, 5, 2),
            remarks="Soupçonné de financer des groupes armés.")],
        audit_events=[AuditInfo(seq=12, at=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
                                actor_name="fatou", action="case.opened", object_type="case",
                                object_id="7", before=None, after={"alert_ids": [1]},
                                prev_hash="a" * 64, hash="b" * 64)],
        notes=[NoteInfo(author="fatou", created_at=datetime(2026, 3, 14, 9, 5, tzinfo=UTC),
                        body="Appel de la banque : le client est parti au Niger.")],
    )


def with_language(data: PackageInput, language: str) -> PackageInput:
    return replace(data, language=language)
