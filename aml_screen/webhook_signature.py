"""The signature of a webhook delivery, a promise to integrators (README, "Webhooks"):

    X-AML-Screen-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">

keyed with the endpoint's secret, over the body's exact bytes. The time is when the attempt
was made (each retry signs again), so a receiver can refuse old replays; the event id
header lets it ignore an event it already handled (a retry after a lost answer)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-AML-Screen-Signature"
EVENT_ID_HEADER = "X-AML-Screen-Event-Id"
EVENT_TYPE_HEADER = "X-AML-Screen-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for ``body`` sent at ``timestamp`` (seconds since the epoch)."""
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
