"""Counterparty evidence: one name dealing with one quiet account is one person."""

from __future__ import annotations

import json

import polars as pl

from aml_screen.subjects.counterparties import COUNTERPARTY_NAMES
from aml_screen.subjects.resolve import resolve
from tests.subjects.records import records, together

MOTHER = "ML13D123456789012345678901"
SHOP = "ML55D998877665544332211001"
CUSTOMERS = ["Aminata Diallo", "Oumarou Issoufou", "Mahamat Saleh", "Hadiza Garba",
             "Seydou Keïta", "Awa Coulibaly", "Boubacar Maïga"]


def test_a_common_name_paying_one_account_joins() -> None:
    result = resolve(records({"name": "Moussa Traoré", "counterparty": MOTHER},
                             {"name": "TRAORE Moussa", "counterparty": "ML 13D1234 5678 9012 "
                                                                       "3456 7890 1"},
                             {"name": "Moussa Traoré", "counterparty": SHOP}))
    assert together(result.assignments, "b1|t0|originator", "b1|t1|originator")
    assert not together(result.assignments, "b1|t0|originator", "b1|t2|originator")
    link = result.links.row(0, named=True)
    assert link["code"] == "same_name_same_counterparty"
    assert json.loads(link["params"]) == {"counterparty": MOTHER}


def test_an_account_dealing_with_many_names_joins_no_namesakes() -> None:
    assert len(CUSTOMERS) > COUNTERPARTY_NAMES
    rows = [{"name": name, "counterparty": SHOP}
            for name in [*CUSTOMERS, "Moussa Traoré", "MOUSSA TRAORE"]]
    result = resolve(records(*rows))
    assert result.assignments.get_column("subject_id").n_unique() == len(rows)
    assert result.new_hubs.rows() == [("counterparty", SHOP, len(CUSTOMERS) + 1)]
    # A later batch sees the shop with two names only: it is still busy.
    later = resolve(records({"name": "Moussa Traoré", "counterparty": SHOP},
                            {"name": "Moussa Traoré", "counterparty": SHOP}, batch="b2"),
                    result.known)
    assert later.assignments.get_column("subject_id").n_unique() == 2
    assert later.known.counterparties.filter(pl.col("counterparty") == SHOP).is_empty()


def test_a_name_only_record_joins_the_known_subject_paying_the_same_account() -> None:
    first = resolve(records({"name": "Moussa Traoré", "id_number": "A123456789",
                             "counterparty": MOTHER}))
    second = resolve(records({"name": "Moussa Traore", "counterparty": MOTHER}, batch="b2"),
                     first.known)
    subject = first.assignments.item(0, "subject_id")
    assert second.assignments.item(0, "subject_id") == subject
    assert second.links.select("left", "code").row(0) == (subject, "same_name_same_counterparty")


def test_namesakes_paying_one_account_from_their_own_accounts_stay_apart() -> None:
    result = resolve(records(
        {"name": "Moussa Traoré", "account": "ML01D111111111111111111111", "counterparty": MOTHER},
        {"name": "Moussa Traoré", "account": "ML02D222222222222222222222", "counterparty": MOTHER},
        {"name": "MOUSSA TRAORE", "counterparty": MOTHER},  # which of the two: neither
    ))
    assert result.assignments.get_column("subject_id").n_unique() == 3


def test_one_persons_spellings_do_not_make_an_account_busy() -> None:
    """An active person's typing errors and dropped middle names are keys of their own;
    an account paid under seven of them still deals with one name."""
    spellings = ["Adiaratou Aminata Tapsoba", "Adiartou Aminata Tapsoba", "ADIARATOU TAPSOBA",
                 "Adiaratou Aminata Tapsoa", "Adiaratou Amiata Tapsoba",
                 "Adiaratou Aminat Tapsoba", "Aminata Tapsoba"]
    rows = [{"name": name, "counterparty": MOTHER} for name in spellings]
    rows += [{"name": "Adiaratou Aminata Tapsoba", "counterparty": MOTHER}]
    result = resolve(records(*rows))
    assert result.new_hubs.is_empty()
    assert together(result.assignments, "b1|t0|originator", "b1|t7|originator")
