"""Which names of a new list version a delta re-screen matches: every name of an added
entry, all names of an entry whose scored facts changed, only the new names of an entry
whose names alone changed, nothing of an unchanged or removed entry."""

from __future__ import annotations

import polars as pl

from aml_screen.schema import LIST_ENTRY_SCHEMA, conform
from aml_screen.watchlists.delta import screened_names
from aml_screen.watchlists.diff import diff_lists


def _entries(rows: list[tuple[str, str, str, list[str]]]) -> pl.DataFrame:
    return conform(pl.DataFrame(
        [{"list_id": "l", "entry_id": e, "name": n, "name_kind": k, "entity_type": "person",
          "birth_dates": b} for e, n, k, b in rows]), LIST_ENTRY_SCHEMA)


def test_only_what_can_make_a_new_hit_is_matched() -> None:
    old = _entries([("same", "Amadou Kouffa", "primary", []),
                    ("renamed", "Iyad Ag Ghaly", "primary", []),
                    ("born", "Mokhtar Belmokhtar", "primary", []),
                    ("born", "Khaled Abou El Abbas", "alias", []),
                    ("gone", "Hamadoun Kouffa", "primary", [])])
    new = _entries([("same", "Amadou Kouffa", "primary", []),
                    ("renamed", "Iyad Ag Ghaly", "primary", []),
                    ("renamed", "Abou Fadl", "alias", []),
                    ("born", "Mokhtar Belmokhtar", "primary", ["1972-06-01"]),
                    ("born", "Khaled Abou El Abbas", "alias", ["1972-06-01"]),
                    ("added", "Awa Sangare", "primary", []),
                    ("added", "Aissata Sangare", "alias", [])])
    chosen = screened_names(new, diff_lists(old, new))
    assert sorted(chosen.select("entry_id", "name").iter_rows()) == [
        ("added", "Aissata Sangare"), ("added", "Awa Sangare"),
        ("born", "Khaled Abou El Abbas"), ("born", "Mokhtar Belmokhtar"),
        ("renamed", "Abou Fadl")]
