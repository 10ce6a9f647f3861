"""Log-in throttling: failed log-ins counted per (user name, address), per user name and per
address, each with its own free allowance, past which every next try waits a doubling delay
(capped: a delay, never a lock-out).

A try is *reserved* before its password is checked: under the counters' row locks (taken by
an ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT … FOR UPDATE``; SQLite's single write
lock does the same) the counters are checked and incremented in one short transaction, which
the caller commits before the slow password hash. So however many requests arrive at once, at
most the allowance is checked; a successful log-in gives its reservation back.

Failed log-ins are audited in aggregate, not one event each: the first failure of a user
name from an address within the window (``auth.login_failed``), and each counter reaching
its allowance (``auth.login_throttled``, with the count). Anyone can fail a log-in, so one
event per failure would let anyone grow the audit trail at will. (A wrong second-factor
code is audited each time, by ``two_factor``: only someone who knew the password gets to
type one, and the same counters slow them down.)
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aml_screen.settings import Settings
from aml_screen.store.audit import record
from aml_screen.store.models import LoginThrottle
from aml_screen.store.upsert import dialect_insert

SCOPES = ("pair", "name", "address")
"""What each counter counts failures of: one user name from one address, one user name
from anywhere, one address over any user names."""


@dataclass(frozen=True)
class LoginLimits:
    """Free failures per scope before each next try waits, the cap of that wait, and how
    long a quiet counter is remembered (``Settings.login_*``)."""

    pair: int = 3
    name: int = 10
    address: int = 30
    max_delay_seconds: int = 60
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginLimits:
        return cls(pair=settings.login_free_attempts, name=settings.login_name_attempts,
                   address=settings.login_address_attempts,
                   max_delay_seconds=settings.login_max_delay_seconds,
                   window=timedelta(minutes=settings.login_window_minutes))

    def free(self, scope: str) -> int:
        allowance: int = getattr(self, scope)
        return allowance

    def delay(self, scope: str, failures: int) -> int:
        """Seconds the next try waits after ``failures`` failures in ``scope``."""
        past = failures - self.free(scope)
        if past < 0:
            return 0
        return self.max_delay_seconds if past >= 30 else min(2 ** past, self.max_delay_seconds)


@dataclass(frozen=True)
class Reservation:
    """A try counted before its password is checked: each scope's key and its failures
    including this try."""

    username: str
    remote_addr: str
    keys: dict[str, str]
    counts: dict[str, int]


def throttle_key(scope: str, username: str, remote_addr: str) -> str:
    """The counter's key: a digest, so the table holds no user names or addresses."""
    parts = {"pair": [username.casefold(), remote_addr], "name": [username.casefold()],
             "address": [remote_addr]}[scope]
    return hashlib.sha256(json.dumps([scope, *parts]).encode()).hexdigest()


def _locked_counters(session: Session, keys: list[str], now: datetime
                     ) -> dict[str, LoginThrottle]:
    """The counters of ``keys``, created when missing, locked until the transaction ends
    (keys in sorted order, so two requests never wait on each other in a cycle)."""
    ordered = sorted(keys)
    session.execute(dialect_insert(session, LoginThrottle)
                    .values([{"key": key, "failures": 0, "last_failure_at": now}
                             for key in ordered])
                    .on_conflict_do_nothing(index_elements=["key"]))
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(ordered))
                           .order_by(LoginThrottle.key).with_for_update()
                           .execution_options(populate_existing=True))
    return {row.key: row for row in rows}


def reserve(session: Session, username: str, remote_addr: str, limits: LoginLimits,
            now: datetime) -> Reservation | int:
    """Count this try in every scope, or return the seconds to wait when any scope is
    still waiting (then nothing is counted). Commit before checking the password."""
    keys = {scope: throttle_key(scope, username, remote_addr) for scope in SCOPES}
    counters = _locked_counters(session, list(keys.values()), now)
    failures: dict[str, int] = {}
    wait = 0.0
    for scope, key in keys.items():
        row = counters[key]
        quiet = now - row.last_failure_at
        failures[scope] = 0 if quiet > limits.window else row.failures
        wait = max(wait, limits.delay(scope, failures[scope]) - quiet.total_seconds())
    if wait > 0:
        return math.ceil(wait)
    for scope, key in keys.items():
        counters[key].failures = failures[scope] + 1
        counters[key].last_failure_at = now
    return Reservation(username, remote_addr, keys,
                       {scope: count + 1 for scope, count in failures.items()})


def release(session: Session, reservation: Reservation, tries: int = 1) -> None:
    """A successful log-in: the name's failures from this address are forgotten, and its
    ``tries`` (the password, and the code of a two-factor log-in) no longer count against
    the name or the address."""
    for _ in range(tries):
        session.execute(update(LoginThrottle)
                        .where(LoginThrottle.key.in_([reservation.keys["name"],
                                                      reservation.keys["address"]]),
                               LoginThrottle.failures > 0)
                        .values(failures=LoginThrottle.failures - 1))
    session.execute(update(LoginThrottle)
                    .where(LoginThrottle.key == reservation.keys["pair"])
                    .values(failures=0))


def audit_failure(session: Session, reservation: Reservation, limits: LoginLimits) -> None:
    """Audit a failed try when it opens a burst or trips a counter (see the module notes)."""
    if reservation.counts["pair"] == 1:
        record(session, None, "auth.login_failed", "user", reservation.username[:120],
               after={"remote_addr": reservation.remote_addr})
    audit_limits(session, reservation, limits)


def audit_limits(session: Session, reservation: Reservation, limits: LoginLimits) -> None:
    """Audit each counter that this failed try brought to its allowance."""
    name, remote = reservation.username[:120], reservation.remote_addr
    for scope in SCOPES:
        if reservation.counts[scope] == limits.free(scope):
            record(session, None, "auth.login_throttled", "user", name,
                   after={"scope": scope, "remote_addr": remote,
                          "failures": reservation.counts[scope]})
