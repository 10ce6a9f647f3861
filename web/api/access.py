"""Who is calling the API and whether they may: the bearer token resolved against the store
on every request (a revoked or expired token, or one of a disabled user, is refused at
once), its per-token rate limit, then the operation's scope and the user's role. Every
authenticated request is audited (``token.use``), refusals of scope or role included."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from aml_screen.store.api_tokens import TokenHolder, authenticate_token, record_use
from web.api.problems import ApiError
from web.api.rate_limit import FixedWindowLimiter
from web.permissions import allowed
from web.services import EXTENSION, Services, services

LIMITER = "aml_screen_api_limiter"
CHALLENGE = 'Bearer realm="aml-screen"'


def bearer_secret() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def limiter() -> FixedWindowLimiter:
    found: FixedWindowLimiter = current_app.extensions[LIMITER]
    return found


def authorise(scope: str, permission: str) -> TokenHolder:
    """The caller, once their token is valid, within its rate limit, holds ``scope`` and
    their role grants ``permission``; otherwise the ``ApiError`` to answer (401, 429,
    403). The use is recorded before a 403 is answered, so refusals are audited too."""
    secret = bearer_secret()
    if secret is None:
        raise ApiError(401, "api.detail.no_token", {"WWW-Authenticate": CHALLENGE})
    with services().database.transaction() as db:
        holder = authenticate_token(db, secret)
        if holder is None:
            raise ApiError(401, "api.detail.bad_token", {
                "WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
        wait = limiter().hit(holder.token_id)
        if wait:
            raise ApiError(429, "api.detail.rate_limited", {"Retry-After": str(wait)},
                             seconds=wait)
        refused = ("scope" if scope not in holder.scopes
                   else "role" if not allowed(holder.role, permission) else None)
        record_use(db, holder, request.method, request.full_path.rstrip("?"), refused)
    if refused == "scope":
        raise ApiError(403, "api.detail.scope", scope=scope)
    if refused == "role":
        raise ApiError(403, "api.detail.role", role=holder.role)
    g.api_caller = holder
    return holder


def init_limiter(app: Flask) -> None:
    """One limiter per app, sized by the settings (``api_rate_limit`` per
    ``api_rate_window_seconds``)."""
    found: Services = app.extensions[EXTENSION]
    app.extensions[LIMITER] = FixedWindowLimiter(found.settings.api_rate_limit,
                                                 found.settings.api_rate_window_seconds)
