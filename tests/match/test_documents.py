"""Identity documents and phones read from list remarks, and how numbers are compared."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.match.documents import (
    document_key,
    listed_documents,
    listed_phones,
    phone_key,
)
from aml_screen.match.index import build_index
from aml_screen.watchlists.frame import entries_frame

# Remarks as the OFAC SDN list writes them (sdn.csv, 2021 edition).
OFAC_REMARKS = [
    "DOB 10 Jul 1950; POB Cairo, Egypt; Passport 1084010 (Egypt); Passport 92/664 (Egypt).",
    "DOB 04 Jan 1967; Cedula No. 16630893 (Colombia); Passport AC444270 (Colombia); "
    "Phone No. 263-4-486946.",
    "Telephone (357)(22660766); Registration ID 12345.",
    None,
]


def test_documents_are_read_with_kind_number_and_country() -> None:
    documents = listed_documents(pl.Series(OFAC_REMARKS)).to_list()
    assert documents[0] == [
        {"kind": "passport", "number": "1084010", "country": "EG"},
        {"kind": "passport", "number": "92664", "country": "EG"},
    ]
    assert documents[1] == [
        {"kind": "national_id", "number": "16630893", "country": "CO"},
        {"kind": "passport", "number": "AC444270", "country": "CO"},
    ]
    assert documents[2] == []
    assert documents[3] == []


def test_phones_are_read_as_their_last_eight_digits() -> None:
    assert listed_phones(pl.Series(OFAC_REMARKS)).to_list() == [
        [], ["34486946"], ["22660766"], []]


@pytest.mark.parametrize(
    ("written", "key"),
    [("A-123 456", "A123456"), ("ac444270", "AC444270"), ("92/664", "92664"),
     ("1234", None)],  # too short to tell a person
)
def test_document_key(written: str, key: str | None) -> None:
    assert pl.select(document_key(pl.lit(written))).item() == key


@pytest.mark.parametrize(
    ("written", "key"),
    [("+223 76 12 34 56", "76123456"), ("0022376123456", "76123456"), ("76-12-34-56",
                                                                        "76123456"),
     ("12 34", None)],
)
def test_phone_key(written: str, key: str | None) -> None:
    assert pl.select(phone_key(pl.lit(written))).item() == key


def test_the_index_carries_each_entrys_documents_and_phones() -> None:
    entries = entries_frame([
        {"list_id": "ofac_sdn", "entry_id": "6636", "entity_type": "person",
         "name": "ZAYDAN, Muhammad", "name_kind": "primary", "remarks": OFAC_REMARKS[1]},
        {"list_id": "ofac_sdn", "entry_id": "6637", "entity_type": "person",
         "name": "HAMDAN, Salim Ahmed", "name_kind": "primary", "remarks": None},
    ]).with_columns(list_version=pl.lit("sha-test"))
    names = build_index(entries).names.sort("entry_id")
    assert names["documents"].to_list()[0][1]["number"] == "AC444270"
    assert names["phones"].to_list() == [["34486946"], []]
    assert names["documents"].to_list()[1] == []
