"""Name evidence: same name with the same birth date, or a rare name; namesakes apart."""

from __future__ import annotations

import json

import polars as pl
import pytest

from aml_screen.subjects.known import token_counts
from aml_screen.subjects.names import RARE_NAME, rarity, token_weight_table
from aml_screen.subjects.records import name_keys
from aml_screen.subjects.resolve import resolve
from tests.subjects.records import records, together

BOTH = ("b1|t0|originator", "b1|t1|originator")


@pytest.mark.parametrize(("first", "second"), [
    ("Mohamed Ould Ahmed", "MOHAMMED WULD AHMED"),
    ("Mouhamed Ould Ahmed", "AHMED Mohamed"),
    ("Ibrahim Ag Alhassane", "IBRAHIM AGH ALHASSANE"),
    ("Moussa Traoré", "TRAORE Moussa"),
    ("Mohamed El Hacen", "MOHAMED ELHACEN"),
])
def test_spellings_of_a_common_name_with_one_birth_date_join(first: str, second: str) -> None:
    result = resolve(records({"name": first, "birth_date": "1980-03-12", "nationality": "MR"},
                             {"name": second, "birth_date": "1980-03-12"}))
    assert together(result.assignments, *BOTH)
    link = result.links.row(0, named=True)
    assert link["code"] == "same_name_compatible_details"
    assert json.loads(link["params"]) == {"score": 100.0, "birth_date": "1980-03-12",
                                          "nationality": "MR"}


@pytest.mark.parametrize(("first", "second"), [
    ({"birth_date": "1980-03-12"}, {"birth_date": "1975-07-01"}),      # two birth dates
    ({"birth_date": "1980-03-12", "nationality": "ML"},
     {"birth_date": "1980-03-12", "nationality": "NE"}),              # two nationalities
    ({}, {}),                                                         # nothing but the name
    ({"birth_date": "1980-03-12"}, {}),                               # one birth date only
])
def test_namesakes_of_a_common_name_stay_apart(first: dict[str, str],
                                               second: dict[str, str]) -> None:
    result = resolve(records({"name": "Moussa Traoré", **first},
                             {"name": "MOUSSA TRAORE", **second}))
    assert not together(result.assignments, *BOTH)
    assert result.links.is_empty()


def test_a_rare_name_joins_on_its_own_under_its_spellings() -> None:
    spellings = ["Iyad Ag Ghali", "GHALI IYAD AGH", "iyad ag ghali", "Iyad Ghali"]
    result = resolve(records(*({"name": n} for n in spellings)))
    assert result.assignments.get_column("subject_id").n_unique() == 1
    assert set(result.links.get_column("code")) == {"rare_name"}
    assert json.loads(result.links.item(0, "params"))["rarity"] >= RARE_NAME


def test_a_rare_name_with_two_birth_years_is_two_people() -> None:
    result = resolve(records({"name": "Iyad Ag Ghali", "birth_date": "1954"},
                             {"name": "Iyad Ag Ghali", "birth_date": "1988"},
                             {"name": "IYAD AG GHALI"}))
    assert result.assignments.get_column("subject_id").n_unique() == 3


def test_rarity_counts_the_store_and_the_common_names() -> None:
    """Traoré is common even in a store that has never seen it; a surname held by
    thousands of the store's names is common too, and a name only seen once is not."""
    given = ["Awa", "Issa", "Salif", "Oumou", "Modibo", "Rokia", "Bakary", "Djeneba",
             "Seydou", "Kadidia", "Lassina", "Nana", "Drissa", "Hawa", "Yacouba", "Fanta"]
    sangho = [f"{a} {b} Sangho" for a in given for b in given if a != b]
    names = ["Moussa Traoré", "Iyad Ag Ghali", "Aminata Sangho", "Aminata Tinghert", *sangho]
    keys = name_keys(pl.Series(names))
    weights = token_weight_table(token_counts(keys), keys.n_unique())
    found = dict(rarity(keys, weights).select("name_key", "rarity").iter_rows())
    moussa, iyad, sangho_name, tinghert = (found[k] for k in keys.head(4).to_list())
    assert moussa < RARE_NAME <= iyad
    assert sangho_name < RARE_NAME <= tinghert


@pytest.mark.parametrize(("first", "second", "joined"), [
    ("Adiaratou Aminata Tapsoba", "Adiartou Aminata Tapsoba", True),   # a typing error
    ("Adiaratou Aminata Tapsoba", "ADIARATOU TAPSOBA", True),          # middle name left out
    ("Moussa Traoré", "Moussa Diallo", False),                         # another name
    ("Adiaratou Tapsoba", "Adiaratou", False),                         # one word says little
])
def test_similar_names_born_the_same_day_join(first: str, second: str, joined: bool) -> None:
    day = {"birth_date": "1991-11-30"}
    result = resolve(records({"name": first, **day}, {"name": second, **day}))
    assert together(result.assignments, *BOTH) is joined
    if joined:
        params = json.loads(result.links.item(0, "params"))
        assert 90 <= params["score"] <= 100
    # The same names born on other days are other people.
    apart = resolve(records({"name": first, **day}, {"name": second, "birth_date": "1991-11-29"}))
    assert not together(apart.assignments, *BOTH)


def test_namesakes_born_the_same_day_with_two_id_numbers_stay_apart() -> None:
    day = {"birth_date": "1980-03-12"}
    result = resolve(records({"name": "Moussa Traoré", "id_number": "A111111111", **day},
                             {"name": "TRAORE Moussa", "id_number": "A222222222", **day},
                             {"name": "Mousa Traoré", "id_number": "A222222222", **day}))
    assert not together(result.assignments, "b1|t0|originator", "b1|t1|originator")
    assert not together(result.assignments, "b1|t0|originator", "b1|t2|originator")
    assert together(result.assignments, "b1|t1|originator", "b1|t2|originator")


@pytest.mark.parametrize(("first", "second"), [
    ("Abdou Kimba", "ABDOU Abdou"),                       # one common token in common
    ("Mouhamed Ould Mohammed", "HAROUNA Mohammed MOUSSA"),
])
def test_names_sharing_one_token_born_the_same_day_stay_apart(first: str, second: str) -> None:
    day = {"birth_date": "1997-03-25"}
    result = resolve(records({"name": first, **day}, {"name": second, **day}))
    assert not together(result.assignments, *BOTH)


def test_a_misspelt_common_name_is_not_rare() -> None:
    """Zeiabou (for Zeinabou) is held by no other name, but it is a slip, not a rare
    name: two Zeiabou Souley are namesakes, not one person."""
    names = ["Zeinabou Souley", "Zeinabou Garba", "Zeinabou Issa", "Zeiabou Souley",
             "ZEIABOU SOULEY"] + [f"Zeinabou {n}" for n in ("Moussa", "Ali", "Hama", "Kimba")]
    result = resolve(records(*({"name": n} for n in names)))
    assert not together(result.assignments, "b1|t3|originator", "b1|t4|originator")
    keys = name_keys(pl.Series(names))
    weights = token_weight_table(token_counts(keys), keys.n_unique())
    misspelt = rarity(keys, weights).filter(pl.col("name_key") == keys[3])
    assert misspelt.item(0, "rarest") < 9
