"""What a match is evidence of: titles inside names, slips across words, crossed typos.

Names are real UN and OFAC list names; the batch names are written the ways banks write
them, or are ordinary names that must not hit."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.match.index import ListIndex, build_index
from aml_screen.match.names import match_names
from aml_screen.watchlists.frame import entries_frame

LISTED = [
    ("un_sc", "TAi.140", "MAULANA FAZLULLAH", "person"),  # UN: Maulana is a title
    ("un_sc", "QDi.280", "TAYEB NAIL", "person"),
    ("ofac_sdn", "11111", "TAVAN, Resit", "person"),
    ("ofac_sdn", "22222", "KATRA, Amir", "person"),
    ("un_sc", "QDe.160", "KHATIBA IMAM AL-BUKHARI", "organisation"),
    ("un_sc", "IRe.038", "M. BABAIE INDUSTRIES", "organisation"),
]


@pytest.fixture(scope="module")
def index() -> ListIndex:
    entries = entries_frame(
        {"list_id": list_id, "entry_id": entry_id, "entity_type": etype, "name": name,
         "name_kind": "primary"}
        for list_id, entry_id, name, etype in LISTED
    ).with_columns(list_version=pl.lit("sha-test"))
    return build_index(entries)


def _score(index: ListIndex, written: str, entry_id: str) -> float:
    hits = match_names(pl.Series([written]), index, 40.0).filter(
        pl.col("entry_id") == entry_id)
    return float(hits["score"].max() or 0.0)


@pytest.mark.parametrize(
    ("written", "entry_id"),
    [("FAZLULLAH MAULANA", "TAi.140"),  # the title after the name
     ("Maoulana Fazlullah", "TAi.140"),  # the title respelled: not taken for a name
     ("Taye Bnail", "QDi.280"),  # one slip across the space between the two words
     ("Khatiba Imam Al Boukhari", "QDe.160"),  # Imam inside a militia's name
     ("M. Babaie Industries", "IRe.038")],  # M. is an initial, not Monsieur
)
def test_listed_names_written_otherwise_hit(index: ListIndex, written: str,
                                            entry_id: str) -> None:
    assert _score(index, written, entry_id) >= 85


@pytest.mark.parametrize(
    ("written", "entry_id"),
    [("Mecit Seven", "11111"),  # two crossed typos: Seven~Tavan, Mecit~Resit
     ("Abeer Batra", "22222")],  # Abeer~Amir, Batra~Katra, crossed over
)
def test_crossed_typos_are_two_slips_not_one(index: ListIndex, written: str,
                                             entry_id: str) -> None:
    assert _score(index, written, entry_id) < 75


def test_a_title_weighs_little_on_either_side(index: ListIndex) -> None:
    with_title = _score(index, "Maulana Fazlullah", "TAi.140")
    without = _score(index, "Fazlullah", "TAi.140")
    assert with_title == 100.0
    assert without >= 90
