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
    for value in PARAMS[code].values():
        if isinstance(value, str):
            assert value in text


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Same name (similarity 100/100), same date of birth (1980-03-12), nationality "
           "unknown."),
    ("fr", "Même nom (similarité 100/100), même date de naissance (1980-03-12), nationalité "
           "inconnue."),
])
def test_a_detail_the_records_did_not_give_reads_as_unknown(lang: str, expected: str) -> None:
    params = '{"score":100.0,"birth_date":"1980-03-12","nationality":null}'
    assert describe_link("same_name_compatible_details", params, lang) == expected
