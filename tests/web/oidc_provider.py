"""A real OpenID Connect provider for the single sign-on tests: a small Flask app served on a
thread (127.0.0.1, a free port) with discovery, its JWKS (an RSA key made for the run), an
authorization endpoint that signs in ``provider.person`` at once and sends the browser back
with a code, a token endpoint that checks the client secret and the PKCE verifier and
answers with an ID token signed by that key, and an end-session endpoint.

``provider.tamper`` spoils the next ID tokens on purpose (``signature``: signed by another
key; ``nonce``, ``audience``, ``issuer``: a wrong one; ``expired``); ``provider.requests``
keeps what each authorization request asked for."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

CLIENT_ID = "aml-screen"
CLIENT_SECRET = "client-secret-for-the-tests"  # noqa: S105 (a test provider's)
TAMPERING = ("signature", "nonce", "audience", "issuer", "expired")


@dataclass
class Person:
    """A user of the provider."""

    sub: str
    username: str
    groups: list[str] = field(default_factory=list)
    locale: str | None = None


@dataclass
class Provider:
    issuer: str = ""
    person: Person = field(default_factory=lambda: Person("sub-1", "amina"))
    tamper: str | None = None
    end_session: bool = True
    declines: bool = False
    """The person says no at the provider: the browser comes back with ``access_denied``."""
    requests: list[dict[str, str]] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)
    key: RSAKey = field(default_factory=lambda: _key("provider-key"))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        person: Person = grant["person"]
        claims: dict[str, Any] = {
            "iss": self.issuer, "sub": person.sub, "aud": CLIENT_ID, "iat": now,
            "exp": now + 300, "nonce": grant["nonce"], "preferred_username": person.username,
            "groups": list(person.groups), "auth_time": now}
        if person.locale:
            claims["locale"] = person.locale
        key = self.key
        if self.tamper == "signature":
            key = _key(self.key.kid or "")  # same key id, another key: the signature fails
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-asked-for"
        elif self.tamper == "audience":
            claims["aud"] = "another-client"
        elif self.tamper == "issuer":
            claims["iss"] = "https://another-provider.example"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def provider_app(provider: Provider) -> Flask:
    app = Flask("oidc_provider")

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        metadata = {
            "issuer": provider.issuer,
            "authorization_endpoint": f"{provider.issuer}/authorize",
            "token_endpoint": f"{provider.issuer}/token",
            "jwks_uri": f"{provider.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }
        if provider.end_session:
            metadata["end_session_endpoint"] = f"{provider.issuer}/logout"
        return jsonify(metadata)

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify({"keys": [provider.key.as_dict(private=False)]})

    @app.get("/authorize")
    def authorize() -> Response:
        asked = request.args.to_dict()
        provider.requests.append(asked)
        if asked.get("client_id") != CLIENT_ID or asked.get("response_type") != "code":
            abort(400)
        back = asked["redirect_uri"]
        if provider.declines:
            query = {"error": "access_denied", "state": asked.get("state", "")}
            return redirect(f"{back}?{urlencode(query)}")
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {"person": provider.person, "nonce": asked.get("nonce"),
                                "challenge": asked.get("code_challenge"),
                                "redirect_uri": back}
        return redirect(f"{back}?{urlencode({'code': code, 'state': asked['state']})}")

    @app.post("/token")
    def token() -> tuple[Response, int] | Response:
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return jsonify({"error": "invalid_client"}), 401
        grant = provider.codes.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        if (grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]
                or _challenge(verifier) != grant["challenge"]):
            return jsonify({"error": "invalid_grant"}), 400
        return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                        "expires_in": 300, "id_token": provider.id_token(grant)})

    @app.get("/logout")
    def logout() -> Response:
        provider.logouts.append(request.args.to_dict())
        return redirect(request.args["post_logout_redirect_uri"])

    return app


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider served on a free port of 127.0.0.1 until the block ends."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider_app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(10)
