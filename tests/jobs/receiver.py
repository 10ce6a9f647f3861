"""A webhook receiver for tests: a real HTTP server on a thread on 127.0.0.1 that checks
each delivery's signature exactly as the README tells integrators to (``verify``, the
standard library alone), keeps what it received and answers the status codes it is told
to, in turn (then 200)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.ports import free_port


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The README's verification: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return (hmac.compare_digest(expected, fields.get("v1", ""))
            and abs(time.time() - timestamp) <= tolerance)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    port: int
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    """Status codes to answer, one per delivery, before answering 200."""
    delay: float = 0.0
    """Seconds to wait before answering (a slow endpoint)."""
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, seconds: float = 30) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= count, f"{len(self.received)} of {count} received"
        return self.received


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signed = verify(receiver.secret, self.headers.get("X-AML-Screen-Signature", ""),
                            body)
            receiver.received.append(Received(self.path, dict(self.headers.items()), body,
                                              signed))
            time.sleep(receiver.delay)
            status = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    """``receiver`` listening on its port while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def new_receiver(**options: object) -> Receiver:
    return Receiver(free_port(), **options)  # type: ignore[arg-type]
