"""The cross-batch match cache: names matched once per list version, results reused by the
next batch, corrupt files ignored and rebuilt, size bounded."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aml_screen.match_cache import MatchCache
from aml_screen.pipeline import ScreeningRun, run_screening
from aml_screen.watchlists.frame import entries_frame
from aml_screen.watchlists.loader import Watchlist

HEADER = ("transaction_id", "booked_at", "amount", "currency", "originator_name",
          "beneficiary_name")
LISTED = [
    ("QDi.316", "IYAD AG GHALI", "primary", "person"),
    ("QDi.316", "Sidi Mohamed", "weak_alias", "person"),
    ("QDi.136", "MOKHTAR BELMOKHTAR", "primary", "person"),
    ("QDi.136", "Khalid Abu al-Abbas", "alias", "person"),
    ("QDi.403", "AHMED AL TILEMSI", "primary", "person"),
    ("QDe.135", "ANSAR EDDINE", "primary", "organisation"),
    ("QDe.159", "AL-MOURABITOUN", "primary", "organisation"),
]
ORDINARY = ["Moussa Traoré", "Aïssata Maïga", "Hamidou Diallo", "Fatoumata Cissé",
            "Oumarou Issoufou", "Mariam Touré", "Boubacar Keïta", "Hadiza Mahamadou",
            "Sahel Transport SARL", "Adama Sawadogo", "Awa Ba", "Ibrahim Ouédraogo"]


def _watchlist(version: str = "a" * 64) -> Watchlist:
    entries = entries_frame(
        {"list_id": "un_sc", "entry_id": e, "entity_type": etype, "name": name,
         "name_kind": kind, "programmes": ["Al-Qaida"]}
        for e, name, kind, etype in LISTED
    )
    return Watchlist("un_sc", "un.xml", "un_xml", version, None, None, entries)


def _batch(tmp_path: Path, name: str, pairs: list[tuple[str, str]]) -> Path:
    lines = [";".join(HEADER)] + [
        f"{name}-{i};01/03/2025 10:00;150000;XOF;{o};{b}" for i, (o, b) in enumerate(pairs)]
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


FIRST = [("Iyad Ag Ghaly", "Moussa Traoré"), ("Aïssata Maïga", "Hamidou Diallo"),
         ("Ets Ansar Dine SARL", "Fatoumata Cissé"), ("Oumarou Issoufou", "Mariam Touré")]
SECOND = [("Iyad Ag Ghaly", "Boubacar Keïta"), ("BELMOKHTAR Mokhtar", "Hamidou Diallo"),
          ("Hadiza Mahamadou", "Al Mourabitoune"), ("Moussa Traoré", "Adama Sawadogo")]


def _screen(path: Path, cache: MatchCache | None, watchlist: Watchlist | None = None,
            threshold: float = 85.0) -> ScreeningRun:
    return run_screening([path], [watchlist or _watchlist()], threshold=threshold,
                         match_cache=cache)


def _hits(run: ScreeningRun) -> pl.DataFrame:
    return run.hits.drop("explanation")


def test_second_batch_matches_only_new_names_and_finds_the_same_hits(tmp_path: Path) -> None:
    cache = MatchCache(tmp_path / "match_cache")
    first = _screen(_batch(tmp_path, "b1", FIRST), cache)
    assert first.summary["names_matched"] == first.summary["distinct_names"] == 8
    assert first.summary["names_capped"] == 0
    second_path = _batch(tmp_path, "b2", SECOND)
    second = _screen(second_path, cache)
    # Iyad Ag Ghaly, Hamidou Diallo, Moussa Traoré were matched with batch 1
    assert second.summary["distinct_names"] == 8
    assert second.summary["names_matched"] == 5
    cold = _screen(second_path, None)
    assert_frame_equal(_hits(second), _hits(cold))
    assert set(second.hits["entry_id"]) == {"QDi.316", "QDi.136", "QDe.159"}
    again = _screen(second_path, cache)
    assert again.summary["names_matched"] == 0
    assert_frame_equal(_hits(again), _hits(cold))


def test_cached_explanations_are_the_stored_ones(tmp_path: Path) -> None:
    cache = MatchCache(tmp_path / "match_cache")
    path = _batch(tmp_path, "b1", FIRST)
    cold = _screen(path, cache)
    warm = _screen(path, cache)
    assert warm.summary["names_matched"] == 0
    assert_frame_equal(warm.hits, cold.hits)


def test_other_list_versions_or_thresholds_do_not_share_results(tmp_path: Path) -> None:
    cache = MatchCache(tmp_path / "match_cache")
    path = _batch(tmp_path, "b1", FIRST)
    _screen(path, cache)
    assert _screen(path, cache, _watchlist("b" * 64)).summary["names_matched"] == 8
    assert _screen(path, cache, threshold=80.0).summary["names_matched"] == 8
    assert len(list((tmp_path / "match_cache").iterdir())) == 3


def test_a_corrupt_cache_file_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    cache = MatchCache(tmp_path / "match_cache")
    path = _batch(tmp_path, "b1", FIRST)
    cold = _screen(path, cache)
    (part,) = (tmp_path / "match_cache").glob("*/part-*.parquet")
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])  # a torn write
    rebuilt = _screen(path, cache)
    assert rebuilt.summary["names_matched"] == 8
    assert_frame_equal(_hits(rebuilt), _hits(cold))
    assert not part.exists()
    assert _screen(path, cache).summary["names_matched"] == 0


def test_the_least_recently_used_parts_go_first(tmp_path: Path) -> None:
    folder = tmp_path / "match_cache"
    cache = MatchCache(folder)
    first_path = _batch(tmp_path, "b1", FIRST)
    _screen(first_path, cache)
    (first,) = folder.glob("*/part-*.parquet")
    _screen(_batch(tmp_path, "b2", SECOND), cache)
    (second,) = set(folder.glob("*/part-*.parquet")) - {first}
    os.utime(first, ns=(1_000_000_000, 1_000_000_000))
    os.utime(second, ns=(2_000_000_000, 2_000_000_000))
    _screen(first_path, cache)  # batch 1's names are used again: its part is the newest
    assert first.stat().st_mtime_ns > second.stat().st_mtime_ns
    MatchCache(folder, max_bytes=first.stat().st_size).trim()
    assert first.exists()
    assert not second.exists()
    MatchCache(folder, max_bytes=0).trim()
    assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize("threshold", [85.0])
def test_names_without_hits_are_remembered_too(tmp_path: Path, threshold: float) -> None:
    cache = MatchCache(tmp_path / "match_cache")
    path = _batch(tmp_path, "b1", [(o, o) for o in ORDINARY])
    assert _screen(path, cache, threshold=threshold).hits.is_empty()
    assert _screen(path, cache, threshold=threshold).summary["names_matched"] == 0
