"""``aml-screen search`` and ``aml-screen subjects export`` over batches loaded from two
banks: one person under two spellings is one subject, two namesakes are two."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from aml_screen.cli import main
from aml_screen.store import Database
from tests.store.samples import REPO

HEADER = ("transaction_id,booked_at,amount,currency,originator_name,originator_account,"
          "originator_country,beneficiary_name,beneficiary_account,beneficiary_country,"
          "channel,purpose\n")
BANK_A = HEADER + (
    "A-001,2026-03-02 10:00:00,2500000,XOF,Iyad Ag Ghaly,ML1200100200300400,ML,"
    "Sahel Négoce SARL,ML9900100200300999,ML,wire,marchandises\n"
    "A-002,2026-03-05 11:30:00,150000,XOF,Moussa Traoré,ML1200100200300411,ML,"
    "Awa Sangaré,BF4400100200300422,BF,wire,famille\n")
BANK_B = HEADER + (
    "B-101,2026-04-11 09:15:00,4000000,XOF,IYAD AG GALI,ML1200100200300400,ML,"
    "Transports Niamey Express SA,NE5500100200300555,NE,wire,transport\n"
    "B-102,2026-04-12 16:40:00,90000,XOF,TRAORE Moussa,SN6600100200300666,SN,"
    "Fatoumata Coulibaly,ML7700100200300777,ML,mobile_money,famille\n")


def _run(database: Database, data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), *args],
                                env={"AML_SCREEN_DATABASE_URL": database.url,
                                     "AML_SCREEN_DATA_DIR": str(data_dir)})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def two_banks(database: Database, tmp_path: Path) -> Database:
    for name, content in (("bank_a.csv", BANK_A), ("bank_b.csv", BANK_B)):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        code, _, err = _run(database, tmp_path / "data", "load", str(path), "--wait")
        assert code == 0, err
    return database


def test_search_finds_one_person_across_two_banks(two_banks: Database, tmp_path: Path) -> None:
    code, out, err = _run(two_banks, tmp_path / "data", "search", "Iyad Ag Ghali", "--json")
    assert code == 0, err
    results = json.loads(out)
    assert len(results) == 1
    iyad = results[0]
    assert sorted(iyad["names"]) == ["IYAD AG GALI", "Iyad Ag Ghaly"]
    assert len(iyad["batches"]) == 2
    assert iyad["records"] == 2
    assert iyad["alerts"] == 2  # one per batch, both tied to him
    assert iyad["first_seen"].startswith("2026-03-02")
    assert iyad["last_seen"].startswith("2026-04-11")
    assert {"kind": "account", "value": "ML1200100200300400"} in iyad["identifiers"]
    code, out, _ = _run(two_banks, tmp_path / "data", "search", "ML 1200 1002 0030 0400",
                        "--json")
    assert [r["subject_id"] for r in json.loads(out)] == [iyad["subject_id"]]
    code, out, _ = _run(two_banks, tmp_path / "data", "search", "B-101", "--json")
    assert iyad["subject_id"] in [r["subject_id"] for r in json.loads(out)]


def test_namesakes_with_nothing_in_common_stay_two(two_banks: Database,
                                                   tmp_path: Path) -> None:
    code, out, err = _run(two_banks, tmp_path / "data", "search", "Moussa Traore", "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 2
    code, out, _ = _run(two_banks, tmp_path / "data", "--lang", "fr", "search", "Moussa Traore")
    assert out.count("1 enregistrement dans 1 lot") == 2


def test_subjects_export_lists_every_stored_party(two_banks: Database, tmp_path: Path) -> None:
    out = tmp_path / "subjects.parquet"
    code, _, err = _run(two_banks, tmp_path / "data", "subjects", "export", "--out", str(out))
    assert code == 0, err
    frame = pl.read_parquet(out)
    assert frame.columns == ["batch_id", "transaction_id", "party_role", "party_name",
                             "subject_id"]
    assert frame.height == 8
    originators = frame.filter(pl.col("party_role") == "originator")
    subject_of = dict(zip(originators.get_column("transaction_id"),
                          originators.get_column("subject_id"), strict=True))
    assert subject_of["A-001"] == subject_of["B-101"]
    assert subject_of["A-002"] != subject_of["B-102"]


def test_nothing_found_is_said_in_words(database: Database, tmp_path: Path) -> None:
    code, out, _ = _run(database, tmp_path / "data", "search", "Personne Inconnue")
    assert code == 0
    assert out.strip() == "No subject found for “Personne Inconnue”."
