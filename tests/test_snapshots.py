"""Snapshots of list versions and rule packs: written once, content-addressed, refused when
damaged, and read back as exactly what was screened."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from aml_screen.snapshots import (
    SnapshotError,
    load_list_snapshot,
    load_rule_pack,
    rule_pack_digest,
    snapshot_lists,
    snapshot_rules,
)
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import REPO, repo_settings


def test_list_versions_are_kept_once_and_read_back_identical(tmp_path: Path) -> None:
    settings = repo_settings(data_dir=tmp_path)
    lists = load_watchlists(list(settings.default_watchlists), settings)
    folders = snapshot_lists(settings, lists)
    assert [f.name for f in folders] == [w.sha256 for w in lists]
    stamps = [(f / "manifest.json").stat().st_mtime_ns for f in folders]
    assert snapshot_lists(settings, lists) == folders
    assert [(f / "manifest.json").stat().st_mtime_ns for f in folders] == stamps
    for watchlist in lists:
        again = load_list_snapshot(settings, watchlist.version())
        assert again is not None
        assert (again.list_id, again.sha256) == (watchlist.list_id, watchlist.sha256)
        assert_frame_equal(again.entries, watchlist.entries)
    assert load_list_snapshot(settings, {**lists[0].version(), "sha256": "0" * 64}) is None


def test_a_list_file_edited_after_loading_is_not_kept(tmp_path: Path) -> None:
    original = REPO / "watchlists" / "samples" / "national_sample.csv"
    copy = tmp_path / "liste_nationale.csv"
    shutil.copyfile(original, copy)
    settings = repo_settings(data_dir=tmp_path / "var")
    (watchlist,) = load_watchlists([str(copy)], settings)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write("ML-GEL-2026-099,Aminata Wallet Intalla,person,primary,,,,,,,\n")
    with pytest.raises(SnapshotError, match="its files changed"):
        snapshot_lists(settings, [watchlist])


def _rules_copy(tmp_path: Path) -> Path:
    rules = tmp_path / "regles"
    shutil.copytree(REPO / "rules", rules)
    return rules


def test_the_rule_pack_digest_covers_parameters_and_examples(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    first = rule_pack_digest(rules, None)
    params = rules / "parameters.yaml"
    params.write_text(params.read_text(encoding="utf-8") + "\n# seuil révisé\n",
                      encoding="utf-8")
    second = rule_pack_digest(rules, None)
    (rules / "examples" / "fan_in.csv").unlink()
    assert len({first, second, rule_pack_digest(rules, None)}) == 3
    override = tmp_path / "parametres_niger.yaml"
    override.write_text("{}\n", encoding="utf-8")
    assert rule_pack_digest(rules, override) != rule_pack_digest(rules, None)


def test_a_rule_pack_is_stored_and_checked_when_read(tmp_path: Path) -> None:
    settings = repo_settings(data_dir=tmp_path / "var")
    rules = _rules_copy(tmp_path)
    digest = snapshot_rules(settings, rules, None)
    assert digest == rule_pack_digest(rules, None)
    assert snapshot_rules(settings, None, None) is None
    pack = load_rule_pack(settings, digest)
    assert pack is not None
    assert pack.parameters is None
    assert rule_pack_digest(pack.rules_dir, None) == digest
    assert load_rule_pack(settings, "f" * 64) is None
    (pack.rules_dir / "generic.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"rules/generic\.yaml no longer matches"):
        load_rule_pack(settings, digest)
