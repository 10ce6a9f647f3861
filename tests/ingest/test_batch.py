"""read_batch end to end: quarantine reasons, invariants, schema, headers, file-level errors."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import ColumnMapping, read_batch
from aml_screen.ingest.dates import plausible_range
from aml_screen.ingest.reasons import REASON_CODES
from aml_screen.schema import QUARANTINE_SCHEMA, TRANSACTION_SCHEMA
from tests.ingest.conftest import HEADER, WriteBatch

GOOD = ("VIR-0001", "01/03/2025 10:00", "150000", "XOF", "Aïssata Maïga", "Moussa Traoré",
        "Niger")


def _row(**changes: str) -> tuple[str, ...]:
    values = dict(zip(HEADER, GOOD, strict=True)) | {"transaction_id": "VIR-0002"}
    values.update(changes)
    return tuple(values.values())


@pytest.mark.parametrize(
    ("bad_row", "code", "words"),
    [
        (_row(transaction_id=""), "missing_id", "no transaction id"),
        (_row(transaction_id="VIR-0001"), "duplicate_id", "line 2"),
        (_row(booked_at="31/02/2025"), "bad_date", "31/02/2025"),
        (_row(booked_at=""), "bad_date", "booking date"),
        (_row(booked_at="01/03/25"), "bad_date", "no known date format"),
        (_row(booked_at="2999-01-01"), "implausible_date", "2999-01-01"),
        (_row(booked_at="31/12/9999 23:59"), "implausible_date", "plausible range 1900-01-01"),
        (_row(booked_at="0001-01-01T00:00:00Z"), "implausible_date", "0001-01-01"),
        (_row(booked_at="01/01/1899"), "implausible_date", "01/01/1899"),
        (_row(amount="1 500 000,5", currency="XOF"), "bad_scale", "XOF allows 0"),
        (_row(amount="12,3456", currency="EUR"), "bad_scale", "EUR allows 2"),
        (_row(amount="deux cents"), "bad_amount", "deux cents"),
        (_row(amount="1.5E+11"), "bad_amount", "1.5E+11"),
        (_row(amount="-25000"), "negative_amount", "-25000"),
        (_row(currency=" "), "missing_currency", "currency is missing"),
        (_row(currency="FCFA"), "unknown_currency", "FCFA"),
        (_row()[:5], "bad_field_count", "5 field(s) but the header has 7"),
        ((*_row(), "extra"), "bad_field_count", "8 field(s)"),
    ],
)
def test_each_reason_quarantines_the_row_and_keeps_the_rest(
    write_batch: WriteBatch, bad_row: tuple[str, ...], code: str, words: str
) -> None:
    second = _row(transaction_id="VIR-0003", amount="25 000")
    result = read_batch(write_batch([GOOD, bad_row, second]))
    assert result.frame["transaction_id"].to_list() == ["VIR-0001", "VIR-0003"]
    q = result.quarantine.row(0, named=True)
    assert (q["line_number"], q["reason_code"]) == (3, code)
    assert words in q["reason"]
    assert q["raw"].split(";")[:2] == list(bad_row[:2])
    assert result.rows_read == 3 == result.frame.height + result.quarantine.height


def test_reason_codes_are_the_documented_stable_set() -> None:
    assert set(REASON_CODES) == {
        "missing_id", "duplicate_id", "bad_amount", "negative_amount", "bad_scale", "bad_date",
        "implausible_date", "missing_currency", "unknown_currency", "bad_field_count",
    }


def test_first_failing_reason_wins_and_reasons_follow_the_language(
    write_batch: WriteBatch,
) -> None:
    path = write_batch([_row(booked_at="hier", amount="abc", currency="ZZZ")])
    q = read_batch(path, language="fr").quarantine.row(0, named=True)
    assert q["reason_code"] == "bad_date"
    assert q["reason"] == (
        "la date d'opération « hier » est absente ou dans un format de date inconnu")


def test_the_plausible_range_is_a_setting_and_ends_next_year_by_default(
    write_batch: WriteBatch,
) -> None:
    next_year = datetime.now(UTC).year + 1
    path = write_batch([_row(booked_at=f"31/12/{next_year}"),
                        _row(transaction_id="VIR-0003", booked_at=f"01/01/{next_year + 1}")])
    default = read_batch(path)
    assert default.frame["transaction_id"].to_list() == ["VIR-0002"]
    assert default.quarantine["reason_code"].to_list() == ["implausible_date"]
    assert f"to {next_year}-12-31" in default.quarantine["reason"][0]
    narrow = read_batch(path, plausible=plausible_range(date(2000, 1, 1), date(2020, 12, 31)),
                        language="fr")
    assert narrow.quarantine["reason_code"].to_list() == ["implausible_date"] * 2
    assert narrow.quarantine["reason"][1] == (
        f"la date d'opération « 01/01/{next_year + 1} » est hors de la plage plausible "
        "du 2000-01-01 au 2020-12-31")


def test_loaded_frame_matches_the_schema_and_keeps_extras_as_text(write_batch: WriteBatch) -> None:
    header = (*HEADER, "Agence", "Score interne")
    path = write_batch([(*GOOD, "Niamey Plateau", "12")], header=header)
    frame = read_batch(path).frame
    assert dict(frame.schema) == {**TRANSACTION_SCHEMA, "Agence": pl.String(),
                                  "Score interne": pl.String()}
    assert frame.row(0, named=True) | {"source_file": None} == {
        "transaction_id": "VIR-0001",
        "booked_at": datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        "amount": Decimal("150000"),
        "currency": "XOF",
        "originator_name": "Aïssata Maïga",
        "originator_account": None,
        "originator_country": None,
        "beneficiary_name": "Moussa Traoré",
        "beneficiary_account": None,
        "beneficiary_country": "NE",
        "channel": None,
        "purpose": None,
        "source_file": None,
        "source_line": 2,
        "Agence": "Niamey Plateau",
        "Score interne": "12",
    }


def test_quarantine_matches_its_schema_even_when_empty(write_batch: WriteBatch) -> None:
    result = read_batch(write_batch([GOOD]))
    assert dict(result.quarantine.schema) == QUARANTINE_SCHEMA
    assert result.quarantine.height == 0


def test_names_are_tidied_but_not_normalised_and_currency_uppercased(
    write_batch: WriteBatch,
) -> None:
    row = _row(originator_name="  Aïssata\u00a0 MAÏGA ", currency=" xof ",
               beneficiary_country="Côte d'Ivoire")
    frame = read_batch(write_batch([row])).frame
    assert frame.select("originator_name", "currency", "beneficiary_country").row(0) == (
        "Aïssata MAÏGA", "XOF", "CI")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (("Transaction ID", "Date", "Montant", "Devise"), "default aliases"),
        (("txn_id", "date_operation", "AMOUNT", "currency"), "default aliases"),
        (("Réf. opération", "Date valeur", "Montant", "Devise"), "default aliases"),
    ],
)
def test_common_header_variants_are_recognised(
    write_batch: WriteBatch, header: tuple[str, ...], expected: str
) -> None:
    frame = read_batch(write_batch([("T1", "2025-03-01", "10", "EUR")], header=header)).frame
    assert frame.select("transaction_id", "amount", "currency").row(0) == (
        "T1", Decimal("10"), "EUR"), expected


def test_french_donneur_and_beneficiaire_headers(write_batch: WriteBatch) -> None:
    header = ("Référence", "Date", "Montant", "Devise", "Donneur d'ordre", "Bénéficiaire")
    row = ("T1", "2025-03-01", "10", "EUR", "Aïssata Maïga", "Société Générale Côte d'Ivoire")
    frame = read_batch(write_batch([row], header=header)).frame
    assert frame.select("originator_name", "beneficiary_name").row(0) == row[4:]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (("Transaction ID", "Date", "Montant", "Nom"), "currency"),
        (("Date", "Montant", "Nom", "Pays"), "transaction_id, currency"),
    ],
)
def test_missing_required_columns_is_a_file_error_naming_them(
    write_batch: WriteBatch, header: tuple[str, ...], missing: str
) -> None:
    with pytest.raises(IngestError) as err:
        read_batch(write_batch([("a", "b", "c", "d")], header=header))
    assert err.value.key == "ingest.missing_columns"
    assert err.value.exit_code == 2
    assert missing in str(err.value)


def test_a_file_with_no_required_header_is_refused(write_batch: WriteBatch) -> None:
    with pytest.raises(IngestError) as err:
        read_batch(write_batch([("Aïssata", "Niamey")], header=("Nom", "Ville")))
    assert err.value.key == "ingest.no_header"


def test_header_only_is_an_empty_batch(write_batch: WriteBatch) -> None:
    result = read_batch(write_batch([]))
    assert (result.rows_read, result.frame.height, result.quarantine.height) == (0, 0, 0)
    assert dict(result.frame.schema) == TRANSACTION_SCHEMA


def _png() -> bytes:
    body = b"IHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + len(body[4:]).to_bytes(4, "big") + body + zlib.crc32(
        body).to_bytes(4, "big")


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "ingest.empty"),
        (b"\n\r\n  \n", "ingest.empty"),
        (_png(), "ingest.binary"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00xl/workbook.xml", "ingest.bad_workbook"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00batch.csv", "ingest.bad_zip"),
        (b"transaction_id;amount\x00\x00\x01\x02\x00", "ingest.binary"),
    ],
)
def test_what_is_not_a_batch_is_one_clear_error(
    tmp_path: Path, content: bytes, key: str
) -> None:
    path = tmp_path / "batch.csv"
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_batch(path)
    assert err.value.key == key
    assert str(path) in str(err.value)


def test_missing_file_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        read_batch(tmp_path / "absent.csv")
    assert err.value.key == "ingest.file_missing"


def test_hash_is_of_the_file_bytes(write_batch: WriteBatch) -> None:
    path = write_batch([GOOD])
    assert read_batch(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_mapping_zone_and_order_override_the_callers(write_batch: WriteBatch) -> None:
    path = write_batch([_row(booked_at="03/04/2025 10:00")])
    mapping = ColumnMapping(timezone="Africa/Niamey", date_order="mdy")
    at = read_batch(path, mapping, timezone="UTC", date_order="dmy").frame["booked_at"][0]
    assert at == datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
