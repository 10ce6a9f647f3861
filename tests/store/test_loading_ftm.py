"""Hits on a FollowTheMoney list reach the store with their topics and relation."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from aml_screen.pipeline import run_screening
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.loading import hit_entries, load_run, register_batch
from aml_screen.store.models import Alert, Hit, ListedEntry
from aml_screen.watchlists.loader import load_watchlists

ROOT = Path(__file__).parents[2]
FTM = ROOT / "tests" / "watchlists" / "data" / "ftm" / "entities.ftm.json"
UN_SAMPLE = ROOT / "watchlists" / "samples" / "un_sahel_sample.xml"


def test_topics_and_relation_are_stored(database: Database, tmp_path: Path) -> None:
    batch_file = tmp_path / "batch.csv"
    batch_file.write_text(
        "transaction_id,booked_at,amount,currency,originator_name,beneficiary_name\n"
        "T1,2026-11-30T10:00:00Z,25000000,XOF,Moussa Diarra,Aminata Keita\n"
        "T2,2026-11-30T11:00:00Z,900000,XOF,Amadou Kouffa,Moussa Diarra\n",
        encoding="utf-8")
    lists = load_watchlists([str(FTM), str(UN_SAMPLE)],
                            Settings(sources_file=tmp_path / "none.yaml"))
    run = run_screening([batch_file], lists, threshold=85)
    with database.transaction() as session:
        batch, _ = register_batch(session, batch_file.name, "f" * 64, 1, None)
        load_run(session, batch, run, hit_entries(lists, run.hits))
    with database.transaction() as session:
        hits = {h.transaction_id: h for h in session.scalars(select(Hit))}
        daughter, listed = hits["T1"], hits["T2"]
        assert daughter.topics == ["role.rca"]
        assert json.loads(daughter.relation) == [{
            "kind": "family", "role": "Daughter", "other_entry_id": "NK-pep-seydou-keita",
            "other_name": "Seydou Abdoulaye Keïta"}]
        assert (listed.topics, listed.relation) == ([], "")
        alert = session.scalars(select(Alert).where(Alert.subject_name == "Aminata Keita")).one()
        assert alert.typologies == ["pep"]
        entry = session.scalars(select(ListedEntry).where(
            ListedEntry.entry_id == "NK-rca-aminata-keita")).one()
        assert entry.entity_type == "person"
