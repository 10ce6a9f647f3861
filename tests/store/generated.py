"""A generated Sahel batch (benchmarks/generate_batch.py, 4,000 rows with listed names
planted) screened once per test session against the demo lists with the repository's
rules — about a hundred alerts with several lists, rules, typologies and countries — and a
helper that loads it and spreads the alerts over statuses and assignees."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from aml_screen.pipeline import list_names
from aml_screen.store import Database
from aml_screen.store.loading import load_run, register_batch
from aml_screen.store.models import Alert, User
from aml_screen.store.triage import assign, change_status
from aml_screen.watchlists.loader import load_watchlists
from benchmarks.generate_batch import generate_batch
from tests.store.samples import SampleRun, repo_settings, screened

ROWS = 4000


def generated_run(folder: Path) -> SampleRun:
    """Generate the batch into ``folder`` and screen it (about 2 s)."""
    settings = repo_settings()
    lists = load_watchlists(list(settings.default_watchlists), settings)
    listed = list_names(lists).get_column("name").unique().sort().head(30).to_list()
    path = folder / "generated.csv"
    generate_batch(ROWS, seed=5, listed_names=listed, listed_share=0.02).write_csv(path)
    return screened(path, settings, lists)


def load_generated(database: Database, sample: SampleRun, users: list[str]) -> None:
    """Load the run, then (seeded) leave a third new and unassigned, assign some new ones,
    and put the rest in review, escalate or close them with ``users`` as actors."""
    rng = random.Random(3)
    with database.transaction() as session:
        batch, _ = register_batch(session, "generated.csv", sample.sha256, 1, None)
        load_run(session, batch, sample.run, sample.entries)
        people = [session.scalars(select(User).where(User.username == u)).one()
                  for u in users]
        for alert in session.scalars(select(Alert).order_by(Alert.id)).all():
            actor, draw = rng.choice(people), rng.random()
            if draw < 0.35:
                continue
            if draw < 0.45:
                assign(session, alert.id, actor, rng.choice(people), alert.version)
                continue
            change_status(session, alert.id, actor, "in_review", alert.version)
            if draw < 0.65:
                change_status(session, alert.id, actor, "escalated", alert.version)
            elif draw < 0.85:
                change_status(session, alert.id, actor, "closed", alert.version,
                              disposition="false_positive", reason="homonym")
