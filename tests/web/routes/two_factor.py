"""Two-factor log-in: the enrolment pages (every signed-in user, each for themselves) and
the code step of a log-in (public: without a password given first it sends to the log-in
page). The admin's reset is in ``admin.py``."""

from __future__ import annotations

ROUTES = [
    ("GET", "/account/two-factor", "session", {}),
    ("POST", "/account/two-factor/start", "session", {}),
    ("POST", "/account/two-factor/activate", "session", {"code": "000000"}),
    ("GET", "/login/code", None, {}),
    ("POST", "/login/code", None, {"code": "000000"}),
]
