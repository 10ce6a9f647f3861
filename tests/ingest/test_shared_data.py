"""Real (simulated) AML transaction files from ../shared/data, read in place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import ColumnMapping, read_batch

VISION = "aml_transactions/visionlangai_aml_dataset/aml_dataset.csv"


@pytest.mark.shared
def test_a_file_without_transaction_ids_is_refused_naming_the_column(shared_data: Path) -> None:
    with pytest.raises(IngestError) as err:
        read_batch(shared_data / VISION)
    assert err.value.key == "ingest.missing_columns"
    assert err.value.params["missing"] == "transaction_id"


@pytest.mark.shared
def test_real_rows_survive_a_french_excel_resave(shared_data: Path, tmp_path: Path) -> None:
    """The 5,000-row dataset, given ids and saved as ';' + decimal comma + cp1252, loads
    with the same amounts and dates as the original."""
    original = pl.read_csv(shared_data / VISION, infer_schema=False)
    resaved = original.with_row_index("Réf. opération").select(
        pl.col("Réf. opération").cast(pl.String),
        (pl.col("Date") + " " + pl.col("Time")).alias("Date valeur"),
        pl.col("Amount").str.replace(".", ",", literal=True).alias("Montant"),
        pl.col("Payment_currency").alias("Devise"),
        pl.col("Sender_account").alias("Compte DO"),
        pl.col("Receiver_bank_location").alias("Pays bénéficiaire"),
        pl.col("Laundering_type"),
    )
    path = tmp_path / "export.csv"
    path.write_bytes(resaved.write_csv(separator=";").encode("cp1252"))
    result = read_batch(path, ColumnMapping(timezone="Africa/Bamako"))
    assert result.rows_read == original.height == result.frame.height
    assert result.frame["amount"].to_list() == [Decimal(a) for a in original["Amount"]]
    expected_dates = (original["Date"] + " " + original["Time"]).str.to_datetime(
        "%Y-%m-%d %H:%M", time_zone="UTC")
    assert result.frame["booked_at"].to_list() == expected_dates.to_list()
    assert result.frame["Laundering_type"].to_list() == original["Laundering_type"].to_list()


@pytest.mark.shared
def test_amlsim_steps_are_not_dates(shared_data: Path) -> None:
    """AMLSim alerts give simulation steps, not dates: every row is quarantined, none lost."""
    path = shared_data / "aml_transactions/amlsim_tigergraph/alerts.csv"
    mapping = ColumnMapping(columns={"transaction_id": "TX_ID", "booked_at": "TIMESTAMP",
                                     "amount": "TX_AMOUNT", "currency": "TX_TYPE"})
    result = read_batch(path, mapping)
    assert result.frame.height == 0
    assert result.rows_read == result.quarantine.height == 1719
    assert set(result.quarantine["reason_code"]) <= {"bad_date", "duplicate_id"}
