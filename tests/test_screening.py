"""Screening transactions against an index built from realistic list entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aml_screen.match import adjust
from aml_screen.match.index import ListIndex, build_index
from aml_screen.match.names import match_queries, prepare_queries
from aml_screen.schema import HIT_SCHEMA, TRANSACTION_SCHEMA, conform
from aml_screen.screening import (
    has_party_attributes,
    map_hits,
    name_floor,
    parties,
    party_count,
    party_hits,
    party_names,
    screen_names,
)
from aml_screen.watchlists.frame import entries_frame


def _entry(
    entry_id: str, name: str, kind: str = "primary", etype: str = "person",
    births: tuple[str, ...] = (),
) -> dict[str, object]:
    return {"list_id": "un_sc", "entry_id": entry_id, "entity_type": etype, "name": name,
            "name_kind": kind, "programmes": ["Al-Qaida"], "nationalities": ["ML"],
            "birth_dates": list(births)}


@pytest.fixture
def index() -> ListIndex:
    entries = entries_frame([
        _entry("QDi.316", "IYAD AG GHALI"),
        _entry("QDi.316", "Sidi Mohamed", "weak_alias"),
        _entry("QDi.136", "MOKHTAR BELMOKHTAR", births=("1972-06-01",)),
        _entry("QDi.136", "Khalid Abu al-Abbas", "alias", births=("1972-06-01",)),
        _entry("QDe.135", "ANSAR EDDINE", etype="organisation"),
        _entry("QDe.135", "Ansar Dine", "alias", "organisation"),
    ]).with_columns(list_version=pl.lit("sha-test"))
    return build_index(entries)


def _transactions(rows: list[tuple[str, str | None, str | None]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "transaction_id": [r[0] for r in rows],
            "booked_at": [datetime(2025, 3, 1, 9, tzinfo=UTC)] * len(rows),
            "amount": [Decimal("150000")] * len(rows),
            "currency": ["XOF"] * len(rows),
            "originator_name": [r[1] for r in rows],
            "beneficiary_name": [r[2] for r in rows],
        }
    )
    return conform(frame, TRANSACTION_SCHEMA)


def test_listed_names_are_found_under_bank_spellings(index: ListIndex) -> None:
    tx = _transactions([
        ("T1", "Iyad Ag Ghaly", "Moussa Traoré"),
        ("T2", "Aïssata Maïga", "BELMOKHTAR Mokhtar"),
        ("T3", "Ets Ansar Dine SARL", "Oumarou Issoufou"),
        ("T4", "Fatoumata Cissé", "Abdoulaye Diallo"),
    ])
    hits = screen_names(tx, index, 85.0).hits
    assert hits.schema == pl.Schema(HIT_SCHEMA)
    found = {(r["transaction_id"], r["party_role"], r["entry_id"])
             for r in hits.iter_rows(named=True)}
    assert found == {("T1", "originator", "QDi.316"), ("T2", "beneficiary", "QDi.136"),
                     ("T3", "originator", "QDe.135")}
    t1 = hits.filter(pl.col("transaction_id") == "T1").row(0, named=True)
    assert 85 <= t1["score"] < 100  # ghaly vs ghali: one name, another transcription
    assert t1["list_version"] == "sha-test"
    assert t1["programmes"] == ["Al-Qaida"]
    explanation = json.loads(t1["explanation"])
    assert explanation["query_normalised"] == "iyad ag ghaly"
    assert explanation["list_normalised"] == "iyad ag ghali"


def test_a_distinct_name_is_reported_on_every_transaction_it_appears_in(index: ListIndex) -> None:
    tx = _transactions([(f"T{i}", "MOKHTAR BELMOKHTAR", None) for i in range(5)])
    hits = screen_names(tx, index, 85.0).hits
    assert sorted(hits["transaction_id"]) == [f"T{i}" for i in range(5)]
    assert set(hits["score"]) == {100.0}


def test_ordinary_names_yield_no_hits(index: ListIndex) -> None:
    tx = _transactions([
        ("T1", "Moussa Traoré", "Hadiza Mahamadou"),
        ("T2", "Mohamed Ould Abdallahi", "Fatimetou Mint Ahmed"),
        ("T3", "Sahel Transport SARL", "Mahamat Saleh"),
    ])
    assert screen_names(tx, index, 85.0).hits.is_empty()


def _with_attributes(rows: list[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    frame = _transactions([(r[0], r[1], None) for r in rows])
    return frame.with_columns(originator_birth_date=pl.Series([r[2] for r in rows]),
                              originator_nationality=pl.Series([r[3] for r in rows]))


def test_birth_year_and_nationality_adjust_each_transaction(index: ListIndex) -> None:
    tx = _with_attributes([
        ("T1", "Mokhtar Belmokhtar", None, None),
        ("T2", "Mokhtar Belmokhtar", "1972-06-01", "malien"),  # the listed person's
        ("T3", "Mokhtar Belmokhtar", "1996-02-11", "FR"),  # someone else's
    ])
    hits = screen_names(tx, index, 85.0).hits.filter(pl.col("entry_id") == "QDi.136")
    scores = dict(hits.select("transaction_id", "score").iter_rows())
    assert scores["T1"] == 100.0
    assert scores["T2"] == 100.0  # capped at 100
    assert "T3" not in scores  # 100 - 20 - 5 = 75: under the threshold
    low = screen_names(tx, index, 70.0).hits.filter(pl.col("transaction_id") == "T3")
    adjustments = json.loads(low["explanation"][0])["adjustments"]
    assert adjustments == {"birth_year": -20.0, "nationality": -5.0}


def test_parties_carry_optional_attributes() -> None:
    tx = _with_attributes([("T1", "A B", "1970", "ML")])
    assert parties(tx).select("party_birth_date", "party_nationality").row(0) == ("1970", "ML")
    assert "party_birth_date" not in parties(_transactions([("T1", "A B", None)])).columns


def test_parties_skips_missing_and_blank_names() -> None:
    tx = _transactions([("T1", "A B", None), ("T2", "  ", "C D")])
    assert parties(tx).select("transaction_id", "party_role").rows() == [
        ("T1", "originator"), ("T2", "beneficiary")]


def test_distinct_names_and_joined_hits_match_the_per_party_path(index: ListIndex) -> None:
    tx = _with_attributes([
        ("T1", "Iyad Ag Ghaly", "1954", "ML"),
        ("T2", "Moussa Traoré", None, None),
        ("T3", "Mokhtar Belmokhtar", "1996-02-11", "FR"),
        ("T4", "Iyad Ag Ghaly", None, "malien"),
    ]).with_columns(beneficiary_name=pl.Series(["Moussa Traoré", "  ", "Ansar Dine", None]))
    expected = parties(tx).get_column("party_name").unique(maintain_order=True)
    assert party_names(tx).to_list() == expected.to_list()
    assert party_count(tx) == parties(tx).height == 6
    floor = name_floor(85.0, has_attributes=has_party_attributes(tx))
    assert floor == 85.0 - adjust.MAX_BONUS
    rows = parties(tx)
    per_party = party_hits(rows, match_queries(prepare_queries(rows["party_name"]), index,
                                               floor), 85.0)
    assert per_party.height
    name_hits = match_queries(prepare_queries(party_names(tx)), index, floor)
    assert_frame_equal(map_hits(tx, name_hits, 85.0), per_party)
    screened = screen_names(tx, index, 85.0)
    assert_frame_equal(screened.hits, per_party)
    assert (screened.parties, screened.distinct_names, screened.names_matched) == (6, 4, 4)


def test_id_document_and_phone_adjust_hits() -> None:
    entries = entries_frame([
        _entry("QDi.136", "MOKHTAR BELMOKHTAR", births=("1972-06-01",)),
    ]).with_columns(
        list_version=pl.lit("sha-test"),
        documents=pl.Series([[{"kind": "passport", "number": "A1234567", "country": "DZ"}]],
                            dtype=pl.List(pl.Struct({"kind": pl.String, "number": pl.String,
                                                     "country": pl.String}))),
        phones=pl.Series([["76123456"]], dtype=pl.List(pl.String)),  # as phone_key keeps it
    )
    index = build_index(entries)
    tx = _transactions([("T1", "Mokhtar Belmokhtar", None), ("T2", "Mokhtar Belmokhtar", None),
                        ("T3", "Mokhtar Belmokhtar", None)]).with_columns(
        originator_nationality=pl.Series(["DZ", "DZ", None]),
        originator_id_number=pl.Series(["A1234567", "B7654321", None]),
        originator_phone=pl.Series([None, None, "+22376123456"]),
    )
    hits = screen_names(tx, index, 60.0).hits
    adjustments = {row["transaction_id"]: json.loads(row["explanation"])["adjustments"]
                   for row in hits.iter_rows(named=True)}
    assert adjustments["T1"]["id_document"] == adjust.ID_DOCUMENT_SAME
    assert adjustments["T2"]["id_document"] == adjust.ID_DOCUMENT_DIFFERENT
    assert adjustments["T3"]["phone"] == adjust.PHONE_SAME
    assert dict(hits.select("transaction_id", "score").iter_rows())["T2"] < 100.0
