"""A single-name look-up gives what screening gives the name as a one-row batch: the same
candidates, scores, explanations, adjustments and order, on the test lists and on the
official UN and OFAC SDN lists of ../shared."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aml_screen.match.index import ListIndex
from aml_screen.name_lookup import best_per_entry, lookup_batch, lookup_name
from aml_screen.pipeline import index_watchlists
from aml_screen.screening import screen_names
from aml_screen.settings import load_settings
from aml_screen.watchlists.loader import load_watchlists
from benchmarks.eval_variants import variants
from benchmarks.parties import companies, persons
from tests.match.conftest import LISTED

Details = dict[str, str]

WRITTEN = [
    "Iyad Ag Ghaly", "BELMOKHTAR Mokhtar", "Mokhtar Bel Mokhtar", "Abdelmalek Droukdal",
    "Abd el-Malek Droukdel", "Mahfouz Uld Walid", "Jamel Okacha", "El Hadj Amadou Kouffa",
    "Ets Ansar Dine SARL", "Abdul Rahman Bin Omar", "Iyad Ag Ghalu", "Khalid Abou el Abbas",
    "Muhammad Saeed", "Mohamed Hassan", "Shaykh Said", "Al Moulathamoun", "Ansar Eddine",
]
"""Listed names as bank records write them (transcriptions, typos, particles, honorifics,
legal forms, weak aliases)."""
ORDINARY = [
    "Mahamadou Saidou", "Mamadou Hassane", "Moussa Traoré", "Fatoumata Cissé", "Aïssata Maïga",
    "Sahel Transport SARL", "Ousmane Koné", "Cheick Oumar Diarrah", "Hamidou Daouda",
    "Ahmadou Idrissa", "Fatouma Touré",
]
ODD = [
    "", "   ", "-", "!!!", "M.", "A", "Al", "Ould", "El Hadj", "SARL", "M Traore",
    "M. A. Sidibe", "Mohamed", "Mohamed Mohamed", "محمد بن سلمان", "أسامة بن لادن",
    "عبد الملك دروكدال", "Мухаммад Саид", "Beelkassem", "Alfay", "Taye Bnail",
]
"""Empty-ish names, initials, particles and stop words alone, other scripts, glued forms."""
DETAILS: list[Details] = [
    {}, {"birth_date": "1954"}, {"birth_date": "1990-05-02"}, {"nationality": "ML"},
    {"nationality": "Mali", "birth_date": "1972"}, {"id_number": "A-123 456"},
    {"birth_date": "1970", "nationality": "DZ", "id_number": "123456789"},
]


def screened(index: ListIndex, name: str, min_score: float, limit: int,
             **details: str) -> pl.DataFrame:
    """What screening gives ``name`` as the look-up's one-row batch, cut as a look-up is."""
    batch = lookup_batch(name, **details)
    return best_per_entry(screen_names(batch, index, min_score).hits, limit)


def assert_same_as_screening(index: ListIndex, cases: list[tuple[str, Details]],
                             min_scores: tuple[float, ...] = (50.0, 70.0, 88.0)) -> int:
    """Every case looked up at one of ``min_scores`` in turn; returns the hits compared."""
    compared = 0
    for i, (name, details) in enumerate(cases):
        min_score = min_scores[i % len(min_scores)]
        expected = screened(index, name, min_score, 50, **details)
        assert_frame_equal(lookup_name(index, name, min_score, 50, **details), expected,
                           check_exact=True)
        compared += expected.height
    return compared


def test_look_ups_on_the_test_lists_are_screenings_of_one_row(index: ListIndex) -> None:
    listed = [name for _, name, _, _, _ in LISTED]
    names = listed + [name.lower() for name in listed] + WRITTEN + ORDINARY + ODD
    cases = [(name, DETAILS[i % len(DETAILS)] if i % 3 == 0 else {})
             for i, name in enumerate(names)]
    assert assert_same_as_screening(index, cases) > 40


def test_a_limit_keeps_the_best_entries(index: ListIndex) -> None:
    every = screened(index, "Mohamed Ould Al Walid Hassan", 0.0, 50)
    assert every.height > 2
    assert_frame_equal(lookup_name(index, "Mohamed Ould Al Walid Hassan", 0.0, 2),
                       every.head(2))


@pytest.fixture(scope="module")
def official(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ListIndex:
    """The UN consolidated list and OFAC's SDN list, as the web's look-ups read them."""
    settings = load_settings(environ={}, data_dir=tmp_path_factory.mktemp("var"))
    return index_watchlists(load_watchlists(
        [str(shared_data / "un_consolidated" / "consolidated.xml"),
         str(shared_data / "ofac_sdn" / "bench_2021")], settings))


def _official_cases(index: ListIndex) -> list[tuple[str, Details]]:
    """Listed names and variants of them (with the entry's own birth date or nationality,
    or another), ordinary Sahel persons and companies, and the odd names."""
    rng = random.Random(17)
    entries = index.names.unique(subset="name", maintain_order=True).select(
        "name", "entity_type", "birth_dates", "nationalities").rows()
    cases: list[tuple[str, Details]] = []
    for name, entity_type, births, nationalities in rng.sample(entries, 40):
        cases.append((name, {}))
        cases += [(variant, {}) for _, variant in variants(name, entity_type or "person", rng)]
        if births:
            cases += [(name.title(), {"birth_date": births[0]}), (name, {"birth_date": "1901"})]
        if nationalities:
            cases.append((name.lower(), {"nationality": nationalities[0]}))
    people = persons(np.random.default_rng(3), 60)["name"].to_list()
    cases += [(name, DETAILS[i % len(DETAILS)]) for i, name in enumerate(people)]
    cases += [(name, {}) for name in companies(np.random.default_rng(4), 10)["name"].to_list()]
    return cases + [(name, {}) for name in WRITTEN + ORDINARY + ODD]


@pytest.mark.shared
@pytest.mark.slow
def test_look_ups_on_the_official_lists_are_screenings_of_one_row(official: ListIndex
                                                                  ) -> None:
    cases = _official_cases(official)
    assert len(cases) > 250
    assert assert_same_as_screening(official, cases) > 250
