"""Exports: the form and the download (a GET: it changes nothing but the audit trail)."""

from __future__ import annotations

ROUTES = [
    ("GET", "/exports", "exports.download", {}),
    ("GET", "/exports/download", "exports.download", {}),
]
