"""The stored transactions a batch's history-wide rules look back at, read from the store as
the screening job reads them (COPY and two hash joins on PostgreSQL, chunked selects on
SQLite): each row once, whichever side its account is on, within the window, other batches
only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from aml_screen.store import Database
from aml_screen.store.history import EARLIER, earlier_transactions
from tests.jobs.test_history_rules import FIRST, _load


def _batch(accounts: list[tuple[str | None, str | None]], day: str) -> pl.DataFrame:
    return pl.DataFrame({
        "booked_at": [datetime.fromisoformat(day).replace(tzinfo=UTC)] * len(accounts),
        "originator_account": [a for a, _ in accounts],
        "beneficiary_account": [b for _, b in accounts]})


def test_rows_of_either_side_come_once_within_the_window(database: Database,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "bank_k.csv"
    path.write_text(FIRST, encoding="utf-8")
    stored = _load(database, tmp_path / "data", path)
    # ML04 is K-1's and K-2's beneficiary; ML05 sends K-3 and ML06 receives it.
    batch = _batch([(None, "ML0400100200300401"), ("ML0500100200300501", "ML0600100200300601")],
                   "2026-04-29 09:30:00")
    with database.transaction() as session:
        found = earlier_transactions(session, stored + 1, batch, 90)
        narrow = earlier_transactions(session, stored + 1, batch, 5)
        own = earlier_transactions(session, stored, batch, 90)
    assert found.schema == pl.Schema(EARLIER)
    assert found.select("batch_id", "transaction_id").rows() == [
        (stored, "K-1"), (stored, "K-2"), (stored, "K-3")]
    assert found.filter(pl.col("transaction_id") == "K-3").row(0, named=True) | {
        "source_line": 0} == {
        "batch_id": stored, "transaction_id": "K-3",
        "booked_at": datetime(2026, 4, 28, 9, tzinfo=UTC),  # 10:00 in Niamey
        "amount": Decimal("3000000"),
        "currency": "XOF", "originator_name": "Hamidou Diarra",
        "originator_account": "ML0500100200300501", "originator_country": "ML",
        "beneficiary_name": "Salif Keïta", "beneficiary_account": "ML0600100200300601",
        "beneficiary_country": "ML", "channel": "wire", "purpose": "avance",
        "source_line": 0}
    assert narrow.get_column("transaction_id").to_list() == ["K-3"]  # March is too early
    assert own.is_empty()  # the batch's own rows are not its history
