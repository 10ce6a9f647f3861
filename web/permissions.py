"""Which role may do what. Every view declares one permission (``security.require``);
``create_app`` refuses to start if a route declares none, so no page is left unchecked."""

from __future__ import annotations

from aml_screen.store.models import ROLES

EVERYONE = frozenset(ROLES)

PERMISSIONS: dict[str, frozenset[str]] = {
    "session": EVERYONE,
    "batches.view": EVERYONE,
    "batches.upload": frozenset({"analyst", "supervisor", "admin"}),
    "alerts.view": EVERYONE,
    "subjects.view": EVERYONE - {"admin"},
    "subjects.decide": frozenset({"investigator", "supervisor"}),
    "alerts.triage": frozenset({"investigator", "supervisor"}),
    "alerts.assign": frozenset({"supervisor"}),
    "cases.view": EVERYONE - {"analyst"},
    "cases.edit": frozenset({"investigator", "supervisor"}),
    "evidence.prepare": frozenset({"investigator", "supervisor"}),
    "evidence.approve": frozenset({"supervisor"}),
    "exemptions.view": EVERYONE - {"analyst"},
    "exemptions.propose": frozenset({"investigator", "supervisor"}),
    "exemptions.decide": frozenset({"supervisor"}),
    "rescreen.request": frozenset({"supervisor", "admin"}),
    "exports.download": frozenset({"auditor", "supervisor"}),
    "goaml.export": frozenset({"investigator", "supervisor"}),
    "dashboard.view": frozenset({"supervisor", "auditor", "admin"}),
    "audit.view": frozenset({"auditor", "admin"}),
    "users.manage": frozenset({"admin"}),
}
"""The auditor only reads; the admin manages accounts and lists, not alerts."""


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS[permission]
