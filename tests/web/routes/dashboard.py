"""The dashboard."""

from __future__ import annotations

ROUTES = [
    ("GET", "/dashboard", "dashboard.view", {}),
]
