"""One attempt at a webhook delivery over HTTP (the standard library's ``http.client``,
which sends header names exactly as written — ``X-AML-Screen-Signature`` is a promise):
the signed body posted with a short timeout, redirects not followed (a 3xx is an answer,
not a delivery: the endpoint's address is the one the admin registered), and whatever
happens told as an ``Outcome`` — a status code, or an error code with its text — never
raised."""

from __future__ import annotations

import http.client
import ssl
import time
from urllib.parse import urlsplit

from aml_screen import __version__
from aml_screen.store.webhook_deliveries import Outcome

USER_AGENT = f"aml-screen/{__version__} (webhooks)"
ANSWER_READ = 4096
"""Bytes of the answer read (and thrown away) before the connection is closed."""


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the address's host and the path (with its query) to post to."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme.lower() == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    return connection, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``url`` (an http or https address, checked when it was
    registered) and tell how it went."""
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        connection, path = _connection(url, timeout)
    except ValueError as exc:
        return Outcome(None, took(), "connection", str(exc))
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            **headers})
        response = connection.getresponse()
        response.read(ANSWER_READ)
        return Outcome(response.status, took())
    except TimeoutError as exc:
        return Outcome(None, took(), "timeout", str(exc) or "timed out")
    except http.client.HTTPException as exc:
        return Outcome(None, took(), "bad_answer", repr(exc))
    except OSError as exc:  # refused, unreachable, unknown host, TLS
        return Outcome(None, took(), "connection", str(exc))
    finally:
        connection.close()
