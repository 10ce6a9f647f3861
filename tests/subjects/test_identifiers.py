"""Identifier evidence: the same ID document, phone or account joins; hubs join nothing."""

from __future__ import annotations

import json

import polars as pl
import pytest

from aml_screen.subjects.identifiers import HUB_NAMES
from aml_screen.subjects.resolve import resolve
from tests.subjects.records import records, together

MERCHANT = "ML25D07386580145073977553813"
CUSTOMERS = ["Moussa Traoré", "Aminata Diallo", "Oumarou Issoufou", "Fatimetou Mint Ahmed",
             "Mahamat Saleh", "Ibrahim Ag Alhassane", "Hadiza Garba", "Seydou Keïta",
             "Awa Coulibaly", "Boubacar Maïga", "Kadiatou Sow", "Abakar Adoum"]


@pytest.mark.parametrize(("first", "second", "code", "param"), [
    ({"id_number": "CNI 4471-209"}, {"id_number": "4471209"}, "same_id_document",
     {"number": "4471209"}),
    ({"phone": "+223 76 12 34 56"}, {"phone": "0022376123456"}, "same_phone",
     {"phone": "+22376123456"}),
    ({"account": "ML13 D123 4567 89"}, {"account": "ML13D123456789"}, "same_account",
     {"account": "ML13D123456789"}),
    # A mobile-money account is its holder's phone number.
    ({"account": "+22376123456"}, {"phone": "+223 76 12 34 56"}, "same_phone",
     {"phone": "+22376123456"}),
])
def test_one_identifier_joins_records_of_different_spellings(
        first: dict[str, str], second: dict[str, str], code: str, param: dict[str, str]) -> None:
    result = resolve(records({"name": "Moussa Traoré", **first},
                             {"name": "TRAORE Mousa", **second}))
    assert together(result.assignments, "b1|t0|originator", "b1|t1|originator")
    link = result.links.row(0, named=True)
    assert (link["code"], json.loads(link["params"])) == (code, param)


def test_an_account_used_under_many_names_is_a_hub_and_joins_no_one() -> None:
    result = resolve(records(*({"name": name, "account": MERCHANT} for name in CUSTOMERS)))
    assert result.assignments.get_column("subject_id").n_unique() == len(CUSTOMERS)
    assert result.links.is_empty()
    assert result.new_hubs.select("space", "value").row(0) == ("contact", MERCHANT)
    # The next batch shows it under two names only: still a hub.
    later = resolve(records({"name": "Salif Keita", "account": MERCHANT},
                            {"name": "Rokia Touré", "account": MERCHANT}, batch="b2"),
                    result.known)
    assert later.assignments.get_column("subject_id").n_unique() == 2
    assert later.new_hubs.is_empty()


def test_a_persons_own_account_under_a_few_spellings_is_no_hub() -> None:
    spellings = (["Adiaratou Aminata Tapsoba"] * 8
                 + ["ADIARATOU TAPSOBA", "Adiartou Aminata Tapsoba", "TAPSOBA Adiaratou Aminata",
                    "Adiaratou Aminata Tapsoaba"])
    result = resolve(records(*({"name": name, "account": MERCHANT} for name in spellings)))
    assert result.assignments.get_column("subject_id").n_unique() == 1
    assert result.new_hubs.is_empty()


def test_a_few_names_on_one_phone_stay_one_subject() -> None:
    """Up to ``HUB_NAMES`` names on one identifier are joined (a couple sharing a phone
    is then one subject until an investigator splits it: see test_resolve)."""
    names = CUSTOMERS[:HUB_NAMES]
    result = resolve(records(*({"name": name, "phone": "+22376123456"} for name in names)))
    assert result.assignments.get_column("subject_id").n_unique() == 1


def test_subjects_joined_through_an_account_before_it_showed_as_a_hub_are_for_review() -> None:
    early = resolve(records(*({"name": name, "account": MERCHANT} for name in CUSTOMERS[:3])))
    assert early.assignments.get_column("subject_id").n_unique() == 1  # not a hub yet
    later = resolve(records(*({"name": name, "account": MERCHANT} for name in CUSTOMERS[3:]),
                            batch="b2"), early.known)
    assert later.new_hubs.get_column("value").to_list() == [MERCHANT]
    assert later.review.rows() == [(early.assignments.item(0, "subject_id"), "contact",
                                    MERCHANT)]
    assert later.assignments.get_column("subject_id").n_unique() == len(CUSTOMERS) - 3
    assert later.known.identifiers.filter(pl.col("value") == MERCHANT).is_empty()
