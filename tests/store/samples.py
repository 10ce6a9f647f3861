"""The bundled sample batch screened once per test session against the bundled demo lists,
and helpers that put it (and users) into a test database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.pipeline import ScreeningRun, run_screening
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.settings import Settings, load_settings
from aml_screen.store import Database
from aml_screen.store.accounts import create_user
from aml_screen.store.loading import hit_entries, load_run, register_batch
from aml_screen.store.models import Alert, Hit, User
from aml_screen.store.triage import change_status
from aml_screen.watchlists.loader import Watchlist, load_watchlists

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "aml_screen" / "samples" / "sample_batch.csv"
PASSWORD = "correct horse battery"  # noqa: S105 (test accounts only)


@dataclass(frozen=True)
class SampleRun:
    run: ScreeningRun
    entries: pl.DataFrame
    sha256: str


def repo_settings(**overrides: object) -> Settings:
    return load_settings(config_file=REPO / "aml-screen.toml", **overrides)


def screened(path: Path, settings: Settings, lists: list[Watchlist]) -> SampleRun:
    """``path`` screened against ``lists`` with the repository's rules and settings."""
    run = run_screening([path], lists, threshold=settings.match_threshold,
                        timezone=settings.timezone, date_order=settings.date_order,
                        rules_dir=configured_rules(settings),
                        rule_parameters=parameters_override(settings))
    return SampleRun(run, hit_entries(lists, run.hits),
                     hashlib.sha256(path.read_bytes()).hexdigest())


@cache
def sample_run() -> SampleRun:
    settings = repo_settings()
    return screened(SAMPLE, settings, load_watchlists(list(settings.default_watchlists),
                                                      settings))


def load_sample(database: Database, uploader: str | None = None) -> int:
    """The sample batch registered and loaded; returns its batch id."""
    sample = sample_run()
    with database.transaction() as session:
        user = (session.scalars(select(User).where(User.username == uploader)).one()
                if uploader else None)
        batch, _ = register_batch(session, SAMPLE.name, sample.sha256,
                                  SAMPLE.stat().st_size, user)
        load_run(session, batch, sample.run, sample.entries)
        return batch.id


def add_user(database: Database, username: str, role: str, language: str = "en") -> int:
    with database.transaction() as session:
        return create_user(session, username, role, PASSWORD, language).id


def close_as_false_positive(session: Session, hit_id: int, actor: User) -> int:
    """Close the alert of ``hit_id`` as a false positive, as an investigator would before
    remembering the pair; returns the alert id."""
    alert = session.get_one(Alert, session.get_one(Hit, hit_id).alert_id)
    if (alert.status, alert.disposition) == ("closed", "false_positive"):
        return alert.id
    if alert.status == "closed":
        change_status(session, alert.id, actor, "in_review", alert.version)
    change_status(session, alert.id, actor, "closed", alert.version,
                  disposition="false_positive", reason="Homonyme : pièce d'identité vérifiée")
    return alert.id
