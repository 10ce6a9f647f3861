"""Seizure evidence packages: a deterministic ZIP (PDF summary, transactions CSV, the listed
entries, hits, rule hits, the case's audit trail and notes) with a manifest of SHA-256
digests, built from plain data (``build_package``) and checked again (``verify_package``)."""

from aml_screen.evidence.data import (
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
)
from aml_screen.evidence.package import build_package
from aml_screen.evidence.verify import VerifyReport, verify_package

__all__ = [
    "AlertInfo", "AuditInfo", "CaseInfo", "HitInfo", "LinkInfo", "LinkNodeInfo",
    "ListedEntryInfo", "NoteInfo",
    "PackageInput", "RuleHitInfo", "TransactionInfo", "VerifyReport", "build_package",
    "verify_package",
]
