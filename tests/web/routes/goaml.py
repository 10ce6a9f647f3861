"""goAML STR download."""

from __future__ import annotations

from flask import Flask

from tests.goaml.cases import suspicious_case
from tests.web.client import database

ROUTES = [
    ("GET", "/cases/{case_id}/str.xml", "goaml.export", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    return {"case_id": suspicious_case(database(app))}
