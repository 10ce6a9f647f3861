"""Every link reason in words, in English and French."""

from __future__ import annotations

import pytest

from aml_screen.subjects.describe import describe_link
from aml_screen.subjects.links import CODES

PARAMS = {
    "same_id_document": {"number": "A123456789"},
    "same_phone": {"phone": "+22376123456"},
    "same_account": {"account": "ML13D123456789"},
    "same_name_compatible_details": {"score": 100.0, "birth_date": "1980-03-12",
                                     "nationality": None},
    "same_name_same_counterparty": {"counterparty": "ML13D123456789"},
    "rare_name": {"score": 100.0, "rarity": 20.6},
    "sole_holder": {"rarity": 12.4, "records": 31},
    "investigator_merge": {"reason": "alias_confirmed"},
}


def test_every_code_has_parameters_here() -> None:
    assert set(PARAMS) == set(CODES)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_reason_reads_with_its_parameters(code: str, lang: str) -> None:
    text = describe_link(code, PARAMS[code], lang)
    assert not text.startswith("subjects.")
    for key, value in PARAMS[code].items():
        if isinstance(value, str) and key != "birth_date":
            assert value in text


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Same name (similarity 100/100), same date of birth (Mar 12, 1980), nationality "
           "unknown."),
    ("fr", "Même nom (similarité 100/100), même date de naissance (12 mars 1980), "
           "nationalité inconnue."),
])
def test_a_detail_the_records_did_not_give_reads_as_unknown(lang: str, expected: str) -> None:
    params = '{"score":100.0,"birth_date":"1980-03-12","nationality":null}'
    assert describe_link("same_name_compatible_details", params, lang) == expected


@pytest.mark.parametrize(("lang", "rarity", "records"), [
    ("en", "(rarity 12.4)", "(1,350 records)"),
    ("fr", "(rareté 12,4)", "(1\u202f350 enregistrements)"),
])
def test_measures_and_counts_are_written_the_languages_way(lang: str, rarity: str,
                                                           records: str) -> None:
    text = describe_link("sole_holder", {"rarity": 12.44, "records": 1350}, lang)
    assert rarity in text
    assert records in text


def test_a_partial_birth_date_reads_as_given() -> None:
    text = describe_link("same_name_compatible_details",
                         {"score": 97.6, "birth_date": "1980", "nationality": "ML"}, "fr")
    assert "(similarité 98/100), même date de naissance (1980), nationalité ML." in text
