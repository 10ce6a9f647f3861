"""The log-in form under parallel requests, as the probe sent them: many wrong passwords at
once, one password sprayed over many names. Each test uses its own client address."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from aml_screen.store.login_throttle import LoginLimits, throttle_key
from aml_screen.store.models import AuditEvent, LoginThrottle
from tests.web.client import csrf_token, database


def _client(app: Flask, address: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, csrf_token(client)


def _try(client: FlaskClient, token: str, username: str, password: str) -> int:
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}).status_code


def _audit_events(app: Flask) -> int:
    with database(app).transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_64_parallel_wrong_passwords_check_at_most_the_allowance(app: Flask) -> None:
    limits = LoginLimits.from_settings(app.extensions["aml_screen"].settings)
    clients = [_client(app, "10.20.0.1") for _ in range(64)]
    events_before = _audit_events(app)
    gate = threading.Barrier(len(clients))

    def attempt(i: int) -> int:
        client, token = clients[i]
        gate.wait()
        return _try(client, token, "fatou", f"wrong guess {i}")

    started = time.monotonic()
    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(attempt, range(len(clients))))
    elapsed = time.monotonic() - started
    checked = statuses.count(401)
    assert set(statuses) <= {401, 429}  # never a 500
    # past the allowance one try per doubling delay (1 s, 2 s, 4 s…) fits in the burst
    assert limits.pair <= checked <= limits.pair + math.floor(math.log2(elapsed + 1))
    with database(app).transaction() as session:
        counter = session.get_one(LoginThrottle, throttle_key("pair", "fatou", "10.20.0.1"))
        assert counter.failures == checked  # every checked password was counted
    assert _audit_events(app) - events_before <= 1 + 3  # the burst, each counter tripping


def test_one_password_sprayed_over_many_names_is_slowed(app: Flask) -> None:
    limits = LoginLimits.from_settings(app.extensions["aml_screen"].settings)
    client, token = _client(app, "10.20.0.2")
    statuses = [_try(client, token, f"user{i}", "Summer2026!")
                for i in range(limits.address + 5)]
    assert statuses[:limits.address] == [401] * limits.address
    assert statuses[limits.address:] == [429] * 5
