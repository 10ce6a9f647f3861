"""Every table of the store, split by area; importing this registers them all on ``Base``."""

from aml_screen.store.models.accounts import ROLES, LoginThrottle, User, UserSession
from aml_screen.store.models.alerts import (
    ALERT_STATUSES,
    DISPOSITIONS,
    LABEL_KINDS,
    Alert,
    AlertLabel,
    Comment,
    Hit,
    ListedEntry,
    RuleHit,
)
from aml_screen.store.models.api_tokens import API_SCOPES, ApiToken
from aml_screen.store.models.audit import AuditEvent
from aml_screen.store.models.batches import (
    BATCH_STATUSES,
    Batch,
    QuarantineRow,
    Rescreen,
    Transaction,
)
from aml_screen.store.models.cases import (
    CASE_DISPOSITIONS,
    CASE_STATUSES,
    PACKAGE_STATUSES,
    Case,
    CaseAlert,
    CaseNote,
    EvidencePackage,
)
from aml_screen.store.models.exemptions import EXEMPTION_STATUSES, Exemption
from aml_screen.store.models.subjects import (
    AlertSubject,
    PartySubject,
    Subject,
    SubjectCounterparty,
    SubjectDecision,
    SubjectHub,
    SubjectIdentifier,
    SubjectLink,
    SubjectMerge,
    SubjectNameToken,
    SubjectProfile,
    SubjectState,
    SubjectToken,
)
from aml_screen.store.models.two_factor import RecoveryCode, TwoFactor

__all__ = [
    "ALERT_STATUSES", "API_SCOPES", "BATCH_STATUSES", "CASE_DISPOSITIONS", "CASE_STATUSES",
    "DISPOSITIONS", "EXEMPTION_STATUSES", "LABEL_KINDS", "PACKAGE_STATUSES", "ROLES", "Alert",
    "AlertLabel", "AlertSubject", "ApiToken",
    "AuditEvent", "Batch", "Case", "CaseAlert", "CaseNote", "Comment", "EvidencePackage",
    "Exemption", "Hit", "ListedEntry", "LoginThrottle", "PartySubject", "QuarantineRow",
    "RecoveryCode",
    "Rescreen", "RuleHit", "Subject", "SubjectCounterparty", "SubjectDecision", "SubjectHub",
    "SubjectIdentifier", "SubjectLink", "SubjectMerge", "SubjectNameToken", "SubjectProfile",
    "SubjectState", "SubjectToken", "Transaction", "TwoFactor", "User", "UserSession",
]
