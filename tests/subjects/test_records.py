"""Party records from a transactions frame, and the keys resolution compares."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.subjects.records import RECORD_SCHEMA, name_keys, party_records, prepared
from tests.subjects.records import records


def test_party_records_take_both_roles_and_the_kyc_columns() -> None:
    transactions = pl.DataFrame({
        "transaction_id": ["T1", "T2"],
        "originator_name": ["Moussa Traoré", None],
        "originator_account": ["ML13D123456789", None],
        "originator_country": ["ML", None],
        "beneficiary_name": ["Aminata Diallo", "Iyad Ag Ghali"],
        "beneficiary_account": [None, "+22376123456"],
        "beneficiary_country": ["ML", "ML"],
        "originator_id_number": ["CNI123456", None],
        "beneficiary_birth_date": ["1954-01-01", None],
    })
    found = party_records(transactions, "B7")
    assert list(found.schema) == list(RECORD_SCHEMA)
    assert found.get_column("record_id").to_list() == [
        "B7|T1|originator", "B7|T1|beneficiary", "B7|T2|beneficiary"]  # T2 has no originator
    first = found.row(0, named=True)
    assert (first["id_number"], first["account"], first["country"]) == (
        "CNI123456", "ML13D123456789", "ML")
    assert found.get_column("counterparty").to_list() == [None, "ML13D123456789", None]
    assert found.row(1, named=True)["birth_date"] == "1954-01-01"


@pytest.mark.parametrize("variants", [
    ("Mohamed Ould Ahmed", "MOHAMMED WULD AHMED", "Ahmed Mouhamed", "Muhammad Ould Ahmed"),
    ("Iyad Ag Ghali", "GHALI IYAD AGH", "iyad ag ghali", "Iyad Ghali"),
    ("Moussa Traoré", "TRAORE Moussa", "Moussa Traore", "El Hadj Moussa Traoré",
     "TRAORE El Hadj Moussa"),
    ("Mohamed El Hacen", "Mohamed Elhacen"),
    ("Abdel Kader Maïga", "ABDELKADER MAIGA"),
])
def test_spellings_of_one_name_have_one_key(variants: tuple[str, ...]) -> None:
    assert name_keys(pl.Series(variants)).n_unique() == 1


def test_identifiers_are_compared_as_ingest_writes_them() -> None:
    frame = prepared(records(
        {"name": "A", "id_number": "CNI 12345-A", "phone": "+223 76 12 34 56",
         "account": "+223 76 12 34 56"},
        {"name": "B", "id_number": "12345A", "phone": "0022376123456", "account": "ml13 d123"},
    ))
    assert frame.get_column("id_number").to_list() == ["12345A", "12345A"]
    assert frame.get_column("phone").to_list() == ["+22376123456", "+22376123456"]
    assert frame.get_column("account").to_list() == ["+22376123456", "ML13D123"]
