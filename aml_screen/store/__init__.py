"""The case store: batches, transactions, alerts with their evidence, users, audit events.

SQLAlchemy models live in ``models/`` (one module per area); state changes go through the
operation modules (``loading``, ``accounts``, ``triage``, ``audit``) so that every change is
written with its audit event in the same transaction.
"""

from aml_screen.store.database import Database, head_revision, open_database
from aml_screen.store.errors import (
    AccountError,
    ConflictError,
    NotFoundError,
    StoreError,
    TriageError,
)

__all__ = [
    "AccountError", "ConflictError", "Database", "NotFoundError", "StoreError", "TriageError",
    "head_revision", "open_database",
]
