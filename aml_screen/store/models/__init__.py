"""Every table of the store, split by area; importing this registers them all on ``Base``."""

from aml_screen.store.models.accounts import ROLES, LoginThrottle, User, UserSession
from aml_screen.store.models.alerts import (
    ALERT_STATUSES,
    DISPOSITIONS,
    Alert,
    AlertLabel,
    Comment,
    Hit,
    ListedEntry,
    RuleHit,
)
from aml_screen.store.models.audit import AuditEvent
from aml_screen.store.models.batches import BATCH_STATUSES, Batch, QuarantineRow, Transaction

__all__ = [
    "ALERT_STATUSES", "BATCH_STATUSES", "DISPOSITIONS", "ROLES", "Alert", "AlertLabel",
    "AuditEvent", "Batch", "Comment", "Hit", "ListedEntry", "LoginThrottle", "QuarantineRow",
    "RuleHit", "Transaction", "User", "UserSession",
]
