"""The synthetic batch generator: deterministic, in the canonical layout, and loadable by
the real ingest without a single quarantined row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from rapidfuzz.distance import OSA

from aml_screen.ingest import read_batch
from benchmarks import generate_batch as gb
from benchmarks import parties
from benchmarks import sahel_names as sn

LISTED = ("Mohamed Ould Abdallahi", "IYAD AG GHALY", "Abu Bakr al-Baghdadi")
SCRIPT = Path(gb.__file__)


@pytest.fixture(scope="module")
def batch() -> pl.DataFrame:
    return gb.generate_batch(5_000, seed=11, listed_names=LISTED, listed_share=0.02)


@pytest.mark.parametrize(("rows", "seed"), [(1, 7), (40, 7), (3_000, 7), (3_000, 99)])
def test_same_seed_same_batch_other_seed_other_batch(rows: int, seed: int) -> None:
    first = gb.generate_batch(rows, seed=seed, listed_names=LISTED)
    assert first.equals(gb.generate_batch(rows, seed=seed, listed_names=LISTED))
    assert not first.equals(gb.generate_batch(rows, seed=seed + 1, listed_names=LISTED))
    assert first.columns == list(gb.BATCH_COLUMNS)
    assert first.height == rows
    assert set(first.schema.dtypes()) == {pl.String()}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_ingest_loads_every_row(batch: pl.DataFrame, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"batch{suffix}"
    gb.write_batch(batch, path)
    result = read_batch(path, timezone="Africa/Niamey")
    assert result.quarantine.is_empty(), result.quarantine.head(3)
    assert result.frame.height == batch.height
    loaded = result.frame.select("transaction_id", pl.col("amount").cast(pl.String))
    written = batch.select("transaction_id", "amount")
    assert loaded.join(written, on="transaction_id").filter(
        pl.col("amount").str.to_decimal(scale=4) != pl.col("amount_right").str.to_decimal(scale=4)
    ).is_empty()


@pytest.mark.parametrize(("currency", "pattern"), [
    ("XOF", r"^[1-9]\d*$"), ("XAF", r"^[1-9]\d*$"), ("MRU", r"^\d+\.\d{2}$"),
    ("EUR", r"^\d+\.\d{2}$"), ("USD", r"^\d+\.\d{2}$"),
])
def test_amounts_are_decimal_text_at_the_currency_scale(
    batch: pl.DataFrame, currency: str, pattern: str
) -> None:
    amounts = batch.filter(pl.col("currency") == currency).get_column("amount")
    assert amounts.len() > 0
    assert amounts.str.contains(pattern).all()


def test_round_amounts_are_over_represented(batch: pl.DataFrame) -> None:
    xof = batch.filter(pl.col("currency") == "XOF").get_column("amount").cast(pl.Int64)
    big = xof.filter(xof >= 10_000)
    # A uniform last-three-digits draw would give 0.1 %; banks see far more round figures.
    assert (big % 1_000 == 0).mean() > 0.2  # type: ignore[operator]


def test_parties_are_reused_and_mostly_from_the_sahel(batch: pl.DataFrame) -> None:
    names = pl.concat([batch["originator_name"], batch["beneficiary_name"]])
    assert names.n_unique() < 0.15 * batch.height
    sahel = batch.get_column("beneficiary_country").is_in(["ML", "NE", "BF", "TD", "MR"])
    assert sahel.mean() > 0.7  # type: ignore[operator]
    assert batch.get_column("purpose").drop_nulls().is_in(
        [p for options in sn.PURPOSES.values() for p in options if p]
    ).all()


def test_listed_names_are_planted_in_their_bank_spellings(batch: pl.DataFrame) -> None:
    names = set(batch["originator_name"].to_list()) | set(batch["beneficiary_name"].to_list())
    for listed in LISTED:
        assert listed.upper() in names or listed.lower() in names


@pytest.mark.parametrize(("name", "expected"), [
    ("Mohamed Ould Abdallahi", {"MOHAMED OULD ABDALLAHI", "mohamed ould abdallahi",
                                "ABDALLAHI MOHAMED OULD", "Mohamed Abdallahi"}),
    ("IYAD AG GHALY", {"IYAD AG GHALY", "iyad ag ghaly", "GHALY IYAD AG", "Iyad Ghaly"}),
    ("ERIC BADEGE", {"ERIC BADEGE", "eric badege", "BADEGE ERIC", "Eric Badege"}),
    ("Frank Kakolele Bwambale", {"frank kakolele bwambale", "BWAMBALE FRANK KAKOLELE",
                                 "Frank Bwambale"}),
])
def test_bank_variants(name: str, expected: set[str]) -> None:
    variants = parties.bank_variants(name, np.random.default_rng(3))
    assert expected <= set(variants)
    typos = [v for v in variants if v not in expected and v != name.upper()]
    assert typos, variants
    assert all(OSA.distance(t.upper(), name.upper()) == 1 for t in typos)


@pytest.mark.parametrize("seed", range(40))
def test_typo_is_one_edit(seed: int) -> None:
    assert OSA.distance(parties.typo("Mahamat Saleh Annadif", np.random.default_rng(seed)),
                        "Mahamat Saleh Annadif") == 1


@pytest.mark.parametrize("country", ["ML", "NE", "BF", "SN", "CI", "TD", "MR"])
def test_ibans_carry_valid_check_digits(country: str) -> None:
    for account in parties.iban(np.random.default_rng(5), country, 200):
        rearranged = account[4:] + account[:4]
        assert int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
        assert account.startswith(country)


def test_cli_writes_the_same_batch(tmp_path: Path) -> None:
    out = tmp_path / "batch.parquet"
    subprocess.run([sys.executable, str(SCRIPT), "--rows", "300", "--seed", "5", "--out",
                    str(out)], check=True)
    assert pl.read_parquet(out).equals(gb.generate_batch(300, seed=5))
