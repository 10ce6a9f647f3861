"""A small index of real UN/OFAC list names (Sahel Al-Qaida regime entries and common-name
aliases) shared by the matching tests."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.match.index import ListIndex, build_index
from aml_screen.watchlists.frame import entries_frame

LISTED = [
    ("QDi.316", "IYAD AG GHALI", "primary", "person", ["1954"]),
    ("QDi.136", "MOKHTAR BELMOKHTAR", "primary", "person", ["1972-06-01"]),
    ("QDi.136", "Khalid Abu al-Abbas", "alias", "person", ["1972-06-01"]),
    ("QDi.232", "ABDELMALEK DROUKDEL", "primary", "person", ["1970-04-20"]),
    ("QDi.425", "AMADOU KOUFFA", "primary", "person", ["1965"]),
    ("QDi.015", "MAHFOUZ OULD AL-WALID", "primary", "person", ["1975-01-01"]),
    ("QDi.328", "DJAMEL OKACHA", "primary", "person", ["1978-05-01"]),
    ("QDi.401", "ABD AL RAHMAN BIN UMAR AL HAJJ", "primary", "person", []),
    ("6902", "SAI'ID, Shaykh", "weak_alias", "person", []),
    ("7001", "Muhammad Saeed", "alias", "person", ["1960"]),
    ("7002", "Mohamed Hassan", "weak_alias", "person", []),
    ("QDe.135", "ANSAR EDDINE", "primary", "organisation", []),
    ("QDe.135", "Ansar Dine", "alias", "organisation", []),
    ("QDe.140", "AL-MOULATHAMOUN", "primary", "organisation", []),
]


@pytest.fixture(scope="package")
def index() -> ListIndex:
    entries = entries_frame(
        {"list_id": "un_sc", "entry_id": entry_id, "entity_type": etype, "name": name,
         "name_kind": kind, "programmes": ["Al-Qaida"], "birth_dates": births,
         "nationalities": ["ML"]}
        for entry_id, name, kind, etype, births in LISTED
    ).with_columns(list_version=pl.lit("sha-test"))
    return build_index(entries)
