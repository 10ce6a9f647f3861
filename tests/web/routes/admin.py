"""Administration: accounts (admins only), watchlists and rules (read-only, dashboard.view).

The posts act on a throw-away account: disable/enable only toggle it, and the other forms
are refused (unknown role, passwords that differ, an invalid user name, a two-factor reset of
an account that never enrolled), so running them as an admin changes nothing that the other
checks rely on."""

from __future__ import annotations

from flask import Flask

from tests.store.samples import add_user
from tests.web.client import database

ROUTES = [
    ("GET", "/admin/users", "users.manage", {}),
    ("GET", "/admin/users/new", "users.manage", {}),
    ("POST", "/admin/users", "users.manage",
     {"username": "!", "role": "analyst", "password": "a", "confirm": "a"}),
    ("POST", "/admin/users/{user_id}/role", "users.manage", {"role": "bogus"}),
    ("POST", "/admin/users/{user_id}/disable", "users.manage", {}),
    ("POST", "/admin/users/{user_id}/enable", "users.manage", {}),
    ("POST", "/admin/users/{user_id}/two-factor/reset", "users.manage", {}),
    ("GET", "/admin/users/{user_id}/password", "users.manage", {}),
    ("POST", "/admin/users/{user_id}/password", "users.manage",
     {"password": "first one typed", "confirm": "another one typed"}),
    ("GET", "/admin/lists", "dashboard.view", {}),
    ("GET", "/admin/rules", "dashboard.view", {}),
]


def placeholders(app: Flask) -> dict[str, int]:
    return {"user_id": add_user(database(app), "access-target", "analyst")}
