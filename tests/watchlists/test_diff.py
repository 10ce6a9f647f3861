"""Entry-level changes between two versions of a list (``watchlists.diff``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from aml_screen.watchlists.diff import diff_lists, entry_records
from aml_screen.watchlists.frame import entries_frame


def _list(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    return entries_frame([{"list_id": "un_sc", "entity_type": "person", **row} for row in rows])


OLD = [
    {"entry_id": "QDi.316", "name": "IYAD AG GHALI", "name_kind": "primary",
     "birth_dates": ["1954"], "nationalities": ["ML"], "programmes": ["Al-Qaida"]},
    {"entry_id": "QDi.316", "name": "Sidi Mohamed Arhali", "name_kind": "alias",
     "birth_dates": ["1954"], "nationalities": ["ML"], "programmes": ["Al-Qaida"]},
    {"entry_id": "QDi.136", "name": "MOKHTAR BELMOKHTAR", "name_kind": "primary",
     "birth_dates": ["1972-06-01"], "nationalities": ["DZ"]},
    {"entry_id": "QDi.015", "name": "MAHFOUZ OULD AL-WALID", "name_kind": "primary"},
]


def test_a_reordered_list_has_no_change() -> None:
    found = diff_lists(_list(OLD), _list(reversed(OLD)))
    assert (found.added.height, found.removed.height, found.changed.height) == (0, 0, 0)


def test_added_removed_and_changed_entries_say_what_changed() -> None:
    new = [
        {**OLD[0], "birth_dates": ["1954", "1958"]},
        {**OLD[1], "name_kind": "weak_alias", "birth_dates": ["1954", "1958"]},
        {"entry_id": "QDi.136", "name": "MOKHTAR BELMOKHTAR", "name_kind": "primary",
         "birth_dates": ["1972-06-01"], "nationalities": ["DZ"]},
        {"entry_id": "QDi.425", "name": "AMADOU KOUFFA", "name_kind": "primary"},
    ]
    found = diff_lists(_list(OLD), _list(new))
    assert found.added.to_dicts() == [{"entry_id": "QDi.425", "entity_type": "person",
                                       "names": ["primary: AMADOU KOUFFA"]}]
    assert found.removed["entry_id"].to_list() == ["QDi.015"]
    [changed] = found.changed.to_dicts()
    assert changed["entry_id"] == "QDi.316"
    assert changed["fields"] == ["names", "birth_dates"]
    assert changed["names_added"] == ["weak_alias: Sidi Mohamed Arhali"]
    assert changed["names_removed"] == ["alias: Sidi Mohamed Arhali"]
    assert (changed["old"]["birth_dates"], changed["new"]["birth_dates"]) == ("1954",
                                                                                "1954; 1958")
    assert changed["old"]["nationalities"] is None  # unchanged fields carry nothing


def test_an_entry_lists_its_primary_name_first() -> None:
    records = entry_records(_list(OLD))
    names = records.filter(pl.col("entry_id") == "QDi.316")["names"][0].to_list()
    assert names == ["primary: IYAD AG GHALI", "alias: Sidi Mohamed Arhali"]
