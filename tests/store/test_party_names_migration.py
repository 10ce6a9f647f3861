"""Migration 0025 gives a store its distinct party names, once each, in the order they
were first stored (what a delta re-screen reads in chunks), blank names left out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.models import PartyName
from tests.store.isolation import isolated_url
from tests.store.migrating import add_batch, tables_then, upgrade_to

ROWS = [("T1", "Zeinab Maiga", "Awa Traore"), ("T2", "Awa Traore", None),
        ("T3", "Boubacar Cisse", " "), ("T4", "Zeinab Maiga", "Amadou Diallo")]


def test_upgrading_keeps_each_stored_name_once_in_stored_order(tmp_path: Path) -> None:
    with isolated_url(tmp_path, migrated=False) as url:
        database = Database(url)
        try:
            upgrade_to(database, "0022")
            with database.engine.begin() as connection:
                tables = tables_then(connection, "batches", "transactions")
                batch_id = add_batch(connection, tables["batches"])
                connection.execute(tables["transactions"].insert(), [
                    {"batch_id": batch_id, "transaction_id": txn, "originator_name": paying,
                     "beneficiary_name": paid} for txn, paying, paid in ROWS])
            database.upgrade()
            with database.transaction() as session:
                names = session.scalars(select(PartyName.name).order_by(PartyName.id)).all()
        finally:
            database.dispose()
    assert names == ["Zeinab Maiga", "Awa Traore", "Boubacar Cisse", "Amadou Diallo"]
