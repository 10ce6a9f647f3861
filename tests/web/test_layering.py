"""The web app only calls the store: no view builds a query or writes the audit trail
itself (``select``, ``insert``, ``update``, ``delete`` or ``text`` from SQLAlchemy, the
audit trail's ``record``, or a session's ``execute``/``scalar(s)``), so every state change
and its audit event live in one store operation that the CLI, the jobs and the coming API
share."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
QUERY_BUILDERS = frozenset({"select", "insert", "update", "delete", "text"})
SESSION_CALLS = frozenset({"execute", "scalar", "scalars"})


def violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module.startswith("sqlalchemy") and names & QUERY_BUILDERS:
                found.append(f"imports {sorted(names & QUERY_BUILDERS)} from {node.module}")
            if node.module == "aml_screen.store.audit" and "record" in names:
                found.append("imports the audit trail's record")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in SESSION_CALLS:
            found.append(f"calls .{node.func.attr}() on line {node.lineno}")
    return found


def test_the_check_finds_a_view_that_queries() -> None:
    view = ("from sqlalchemy import select\nfrom aml_screen.store.audit import record\n"
            "def page(db):\n    return db.scalars(select(User))\n")
    assert len(violations(view)) == 3


@pytest.mark.parametrize("path", sorted(WEB.rglob("*.py")), ids=lambda p: str(p.relative_to(WEB)))
def test_no_web_module_queries_or_audits_by_itself(path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8")) == []
