from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from aml_screen.pipeline import run_screening
from aml_screen.store import Database
from aml_screen.store.loading import load_run, register_batch
from aml_screen.store.models import (
    Alert,
    AlertLabel,
    AuditEvent,
    Batch,
    Hit,
    ListedEntry,
    QuarantineRow,
    Transaction,
)
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import SAMPLE, load_sample, repo_settings, sample_run


def _count(database: Database, model: type) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_run_is_stored_whole(database: Database) -> None:
    sample = sample_run()
    batch_id = load_sample(database)
    run = sample.run
    assert _count(database, Alert) == run.alerts.height > 0
    assert _count(database, Hit) == run.hits.height
    assert _count(database, Transaction) == run.summary["rows_loaded"]
    assert _count(database, QuarantineRow) == run.quarantine.height
    assert _count(database, ListedEntry) == run.hits.select("list_id", "entry_id").n_unique()
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.rows_read, batch.sha256) == (
            "done", run.summary["rows_read"], sample.sha256)
        assert [v["sha256"] for v in batch.list_versions or []] == [
            v["sha256"] for v in run.summary["list_versions"]]
        labels = session.scalars(select(AlertLabel.value).where(AlertLabel.kind == "list"))
        assert set(labels) == set(run.alerts.get_column("list_ids").explode().drop_nulls())


def test_amounts_stay_exact_decimals(database: Database) -> None:
    load_sample(database)
    expected = dict(sample_run().run.transactions.select("transaction_id", "amount").iter_rows())
    with database.transaction() as session:
        stored = dict(list(session.execute(
            select(Transaction.transaction_id, Transaction.amount))))
    assert stored == expected
    assert all(isinstance(v, Decimal) for v in stored.values())


def test_explanations_and_listed_entries_reach_the_store_unchanged(database: Database) -> None:
    load_sample(database)
    run = sample_run().run
    first = run.hits.sort("score", descending=True).row(0, named=True)
    with database.transaction() as session:
        hit = session.scalars(select(Hit).where(
            Hit.transaction_id == first["transaction_id"],
            Hit.matched_name == first["matched_name"])).one()
        entry = session.scalars(select(ListedEntry).where(
            ListedEntry.entry_id == first["entry_id"])).one()
    assert hit.score == first["score"]
    assert hit.explanation["list_normalised"] == first["matched_name_normalised"]
    assert first["matched_name"] in {n["name"] for n in entry.names}


def test_loading_the_same_file_twice_creates_no_duplicates(database: Database) -> None:
    sample = sample_run()
    first = load_sample(database)
    alerts_before = _count(database, Alert)
    with database.transaction() as session:
        batch, created = register_batch(session, "renamed.csv", sample.sha256, 1, None)
        assert (batch.id, created) == (first, False)
        assert load_run(session, batch, sample.run, sample.entries) == 0
    assert _count(database, Alert) == alerts_before
    assert _count(database, Batch) == 1


def test_simultaneous_uploads_of_one_file_get_the_one_batch(database: Database) -> None:
    """The probe's six uploads at once (one answered 500: unique SHA-256 violated)."""
    sha256 = sample_run().sha256
    gate = threading.Barrier(8)

    def upload(i: int) -> tuple[int, bool]:
        gate.wait()
        with database.transaction() as session:
            batch, created = register_batch(session, f"copy{i}.csv", sha256, 100, None)
            return batch.id, created

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(upload, range(8)))
    assert len({batch_id for batch_id, _ in answers}) == 1
    assert [created for _, created in answers].count(True) == 1
    assert _count(database, Batch) == 1
    with database.transaction() as session:
        uploads = session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "batch.upload"))
    assert uploads == 1


def test_a_failed_load_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(IntegrityError, match=r"(?i)null"):
        _load_without_transaction_ids(database)
    for model in (Batch, Alert, Transaction, AuditEvent):
        assert _count(database, model) == 0


def _load_without_transaction_ids(database: Database) -> None:
    sample = sample_run()
    broken = replace(sample.run,  # transaction ids violate NOT NULL
                     transactions=sample.run.transactions.with_columns(transaction_id=None))
    with database.transaction() as session:
        batch, _ = register_batch(session, SAMPLE.name, sample.sha256, 1, None)
        load_run(session, batch, broken, sample.entries)


def test_party_details_and_ingest_notes_are_stored(database: Database,
                                                   tmp_path: Path) -> None:
    """A bank export with French KYC headers: the details reach the store as read (ISO birth
    date, alpha-2 nationality, bare document number), and an unreadable birth date is left
    out with a note on its row instead of losing the row."""
    path = tmp_path / "kyc.csv"
    path.write_text(
        "Réf. opération;Date opération;Montant;Devise;Donneur d'ordre;Né(e) le;Nationalité;"
        "Numéro CNI;Bénéficiaire\n"
        "TX-1;01/03/2025 10:00;150000;XOF;Oumar Ould Sidi;05/07/1981;Mauritanie;"
        "CNI 123-456;Aminata Maïga\n"
        "TX-2;01/03/2025 11:00;98000;XOF;Awa Traoré;31/02/1990;Mali;;Moussa Diallo\n",
        encoding="utf-8")
    settings = repo_settings()
    lists = load_watchlists(list(settings.default_watchlists), settings)
    run = run_screening([path], lists, threshold=settings.match_threshold)
    with database.transaction() as session:
        batch, _ = register_batch(session, path.name, "k" * 64, path.stat().st_size, None)
        load_run(session, batch, run)
    with database.transaction() as session:
        rows = {t.transaction_id: t for t in session.scalars(select(Transaction))}
        first, second = rows["TX-1"], rows["TX-2"]
        assert (first.originator_birth_date, first.originator_nationality,
                first.originator_id_number) == ("1981-07-05", "MR", "123456")
        assert first.ingest_notes is None
        assert (second.originator_birth_date, second.originator_nationality) == (None, "ML")
        assert second.ingest_notes
        assert first.beneficiary_birth_date is None
