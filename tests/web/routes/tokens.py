"""API tokens page (every signed-in user). The create post is refused (no name) and the
revoke post aims at the admin's token: another user is told it does not exist (404), the
admin revokes it."""

from __future__ import annotations

from flask import Flask

from aml_screen.store.accounts import get_user
from aml_screen.store.api_tokens import create_token
from tests.web.client import database

ROUTES = [
    ("GET", "/tokens", "session", {}),
    ("POST", "/tokens", "session", {"name": "", "scope": "read"}),
    ("POST", "/tokens/{token_id}/revoke", "session", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    with database(app).transaction() as session:
        made = create_token(session, get_user(session, "root"), "access", ["read"])
        return {"token_id": made.token.id}
