"""Single sign-on: the log-in page's button and the provider's way back (public; with
single sign-on off, as in these tables' app, both lead to the log-in page). The pages with
it on are in ``tests/web/test_sso.py``."""

from __future__ import annotations

ROUTES = [
    ("POST", "/login/sso", None, {}),
    ("GET", "/login/sso/callback", None, {}),
]
