"""Webhooks (admins only). The create post is refused (an ftp address); the others act on a
throw-away endpoint on an unused port: disable and enable toggle it, the test event and the
new secret leave it as it was for the other checks, and removal comes last in the table
(after it, the endpoint's pages answer 404, which every allowed role may get)."""

from __future__ import annotations

from flask import Flask

from aml_screen.store.secret_box import WEBHOOKS, SecretBox
from aml_screen.store.webhook_endpoints import create_endpoint
from tests.web.client import database

ROUTES = [
    ("GET", "/admin/webhooks", "users.manage", {}),
    ("POST", "/admin/webhooks", "users.manage",
     {"url": "ftp://fiu.example.org/", "event": "alert.created"}),
    ("GET", "/admin/webhooks/{endpoint_id}", "users.manage", {}),
    ("POST", "/admin/webhooks/{endpoint_id}/test", "users.manage", {}),
    ("POST", "/admin/webhooks/{endpoint_id}/disable", "users.manage", {}),
    ("POST", "/admin/webhooks/{endpoint_id}/enable", "users.manage", {}),
    ("POST", "/admin/webhooks/{endpoint_id}/rotate", "users.manage", {}),
    ("POST", "/admin/webhooks/{endpoint_id}/remove", "users.manage", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    with database(app).transaction() as session:
        made = create_endpoint(session, "http://127.0.0.1:9/access", ["alert.decided"],
                               SecretBox(str(app.config["SECRET_KEY"]), WEBHOOKS))
        return {"endpoint_id": made.endpoint.id}
