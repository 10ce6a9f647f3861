"""Errors raised by store operations; the web maps each to an HTTP status in one place."""

from __future__ import annotations

from aml_screen.errors import AmlScreenError, InputError


class StoreError(AmlScreenError):
    """The database cannot be reached or is in a state this version cannot use."""

    http_status = 503


class NotFoundError(InputError):
    """A batch, alert or user that does not exist."""

    http_status = 404


class ConflictError(AmlScreenError):
    """Someone else changed the object since it was read (optimistic locking)."""

    http_status = 409


class TriageError(InputError):
    """A triage step that is not allowed (wrong status, missing disposition or reason)."""

    http_status = 400


class AccountError(InputError):
    """A bad user name, role, password or language given when managing accounts."""

    http_status = 400


class SubjectDecisionError(InputError):
    """A merge or split that cannot be made (no reason, the same subject, nothing to move)."""

    http_status = 400


class TokenError(InputError):
    """An API token that cannot be created as asked (name, scopes, expiry, owner)."""

    http_status = 400


class WebhookError(InputError):
    """A webhook endpoint that cannot be registered or changed as asked (address, events,
    risk score)."""

    http_status = 400
