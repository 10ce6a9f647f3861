"""The OpenID Connect provider, through Authlib's Flask client.

Discovery reads ``<issuer>/.well-known/openid-configuration`` (once per process). The log-in
is the authorization-code flow with PKCE (S256): Authlib draws the state, the nonce and the
code verifier and keeps them in the signed session cookie until the provider sends the
browser back; the code is then exchanged at the token endpoint with the client secret, and
the ID token's signature verified against the provider's JWKS (fetched again when a token
names a key it does not hold: the provider rotated its keys), then its issuer, audience,
expiry and nonce. Any failure is a ``SignOnError`` naming why, for the audit trail."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import (  # type: ignore[import-untyped]
    MismatchingStateError,
)
from authlib.integrations.flask_client import (  # type: ignore[import-untyped]
    OAuth,
    OAuthError,
)
from authlib.integrations.flask_client.apps import (  # type: ignore[import-untyped]
    FlaskOAuth2App,
)
from flask import Flask, current_app, url_for
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from aml_screen.settings import CALLBACK_PATH, Settings
from aml_screen.store.sso_accounts import ProviderUser
from web.services import services

CLIENT = "provider"
"""Name of the provider's client in Authlib's registry."""
CLOCK_SKEW = 60
"""Seconds an ID token's times may be off (``exp``, ``iat``) between the provider's clock
and this server's."""


class SignOnError(Exception):
    """A sign-on that did not verify: ``reason`` is ``state`` (the browser came back with no
    log-in begun here, or another's), ``provider`` (the provider answered with an error,
    e.g. the user declined), ``token`` (the ID token failed a check) or ``unreachable``;
    ``detail`` says more for the audit trail."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider's client when single sign-on is on."""
    if not settings.oidc_enabled:
        return
    OAuth(app).register(
        CLIENT, client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
        server_metadata_url=discovery_url(settings.oidc_issuer),
        client_kwargs={"scope": " ".join(settings.oidc_scopes),
                       "code_challenge_method": "S256",
                       "default_timeout": settings.oidc_timeout})


def origins(settings: Settings) -> tuple[str, ...]:
    """Where the log-in and log-out forms lead the browser when single sign-on is on: the
    provider's origin (its authorization and end-session endpoints are on the issuer's
    host with Keycloak and Entra ID alike), for the content security policy."""
    if not settings.oidc_enabled:
        return ()
    parts = urlsplit(settings.oidc_issuer)
    return (f"{parts.scheme}://{parts.netloc}",)


def _client() -> FlaskOAuth2App:
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT)


def site_url(path: str, endpoint: str) -> str:
    """This site's full address of ``path`` (``endpoint``'s): under ``oidc_redirect_uri``'s
    root when it is set (behind a reverse proxy), else as the browser reached the site."""
    redirect_uri = services().settings.oidc_redirect_uri
    if redirect_uri:
        return redirect_uri.removesuffix(CALLBACK_PATH) + path
    return url_for(endpoint, _external=True)


def begin(language: str) -> Response:
    """Send the browser to the provider's authorization endpoint (``ui_locales``: the
    page's language)."""
    try:
        found: Response = _client().authorize_redirect(
            site_url(CALLBACK_PATH, "sso.callback"), ui_locales=language)
    except requests.RequestException as exc:
        raise SignOnError("unreachable", type(exc).__name__) from exc
    return found


def finish(settings: Settings) -> ProviderUser:
    """The user the provider sent back, once the code is exchanged and the ID token
    verified."""
    try:
        token = _client().authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [settings.oidc_issuer]}},
            leeway=CLOCK_SKEW)
    except MismatchingStateError as exc:
        raise SignOnError("state") from exc
    except OAuthError as exc:
        raise SignOnError("provider", f"{exc.error}: {exc.description or ''}") from exc
    except JoseError as exc:
        raise SignOnError("token", str(exc)) from exc
    except requests.RequestException as exc:
        raise SignOnError("unreachable", type(exc).__name__) from exc
    claims = cast("dict[str, Any] | None", token.get("userinfo"))
    if not claims:
        raise SignOnError("token", "no ID token")
    locale = claims.get("locale")
    return ProviderUser(
        issuer=str(claims["iss"]), subject=str(claims["sub"]),
        username=str(claims.get(settings.oidc_username_claim) or ""),
        groups=_groups(claims.get(settings.oidc_groups_claim)),
        locale=locale if isinstance(locale, str) else None, id_token=str(token["id_token"]))


def _groups(value: Any) -> tuple[str, ...]:
    """The groups claim: a list of names (or of ids: Entra ID), or one name."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return ()


def logout_url(id_token: str) -> str | None:
    """The provider's end-session address (RP-initiated logout) sending the browser back to
    the log-in page, or None when the provider has none (or cannot be reached)."""
    if not services().settings.oidc_enabled:
        return None
    client = _client()
    try:
        metadata = client.load_server_metadata()
    except requests.RequestException:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    found = client.create_logout_url(
        post_logout_redirect_uri=site_url("/login", "auth.login"), id_token_hint=id_token,
        client_id=services().settings.oidc_client_id)
    return str(found["url"])
