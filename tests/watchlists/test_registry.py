"""Stored list versions: hashing, ordering, atomic commit, tamper and damage detection."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aml_screen.errors import WatchlistError
from aml_screen.settings import Settings, load_settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.registry import StoredFile, Version


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, config_file=tmp_path / "absent.toml",
                         data_dir=tmp_path / "var")


def stage(settings: Settings, source: str, files: dict[str, bytes], retrieved_at: str) -> Version:
    """Write ``files`` into a staging folder and commit them as a version."""
    root = registry.source_dir(settings, source)
    staging = root / f".download-{retrieved_at}"
    staging.mkdir(parents=True)
    stored = []
    for name, data in files.items():
        (staging / name).write_bytes(data)
        stored.append(StoredFile(name=name, url=f"https://example.org/{name}",
                                 sha256=hashlib.sha256(data).hexdigest(), bytes=len(data)))
    sha = registry.combined_sha256({f.name: f.sha256 for f in stored})
    version = Version(folder=staging, source=source, format="ofac_csv", sha256=sha,
                      retrieved_at=retrieved_at, version_date=None, entries=2, names=3,
                      files=tuple(stored))
    return registry.commit(staging, version)


@pytest.mark.parametrize(
    "files",
    [{"sdn.csv": b"1,a\n"}, {"sdn.csv": b"1,a\n", "alt.csv": b"1,2,b\n"},
     {"sdn.csv": b"1,a\n", "alt.csv": b"1,2,b\n", "add.csv": b"", "sdn_comments.csv": b"x"}],
)
def test_combined_sha256_follows_file_name_order(files: dict[str, bytes]) -> None:
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    combined = registry.combined_sha256(hashes)
    assert combined == registry.combined_sha256(dict(reversed(hashes.items())))
    if len(files) == 1:
        assert combined == next(iter(hashes.values()))
    else:
        lines = "".join(hashes[name] + "\n" for name in sorted(hashes))
        assert combined == hashlib.sha256(lines.encode()).hexdigest()
    for name in hashes:
        changed = {**hashes, name: hashlib.sha256(files[name] + b"!").hexdigest()}
        assert registry.combined_sha256(changed) != combined


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 1000
    path.write_bytes(data)
    assert registry.sha256_file(path) == hashlib.sha256(data).hexdigest()


def test_commit_renames_staging_into_a_named_version(settings: Settings) -> None:
    version = stage(settings, "ofac_sdn", {"sdn.csv": b"1,a\n", "alt.csv": b"1,2,b\n"},
                    "2026-03-01T10:00:00.000001Z")
    assert version.folder.name == f"20260301T100000.000001Z_{version.sha256[:12]}"
    assert sorted(p.name for p in version.folder.iterdir()) == ["alt.csv", "manifest.json",
                                                               "sdn.csv"]
    assert not list(version.folder.parent.glob(".download-*"))
    manifest = json.loads((version.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == version.manifest()
    assert version.primary == version.folder / "sdn.csv"


def test_newest_version_is_current_and_unfinished_folders_are_ignored(
    settings: Settings,
) -> None:
    assert registry.current(settings, "un_sc") is None
    times = ["2026-03-02T08:00:00.000000Z", "2026-01-15T08:00:00.000000Z",
             "2026-03-02T08:00:00.500000Z"]
    made = [stage(settings, "un_sc", {"list.xml": t.encode()}, t) for t in times]
    root = registry.source_dir(settings, "un_sc")
    (root / ".download-abandoned").mkdir()
    (root / ".download-abandoned" / "list.xml").write_bytes(b"<partial")
    (root / "no-manifest-yet").mkdir()
    assert registry.versions(settings, "un_sc") == [made[1], made[0], made[2]]
    assert registry.current(settings, "un_sc") == made[2]


def test_verify_detects_edited_or_missing_files(settings: Settings) -> None:
    version = stage(settings, "ofac_sdn", {"sdn.csv": b"1,a\n", "alt.csv": b"1,2,b\n"},
                    "2026-03-01T10:00:00.000000Z")
    registry.verify(version)
    (version.folder / "alt.csv").write_bytes(b"1,2,c\n")
    with pytest.raises(WatchlistError) as caught:
        registry.verify(version)
    assert caught.value.key == "watchlists.registry.tampered"
    assert "alt.csv" in str(caught.value)
    (version.folder / "alt.csv").unlink()
    with pytest.raises(WatchlistError):
        registry.verify(version)


@pytest.mark.parametrize(
    "damage",
    ["not json", '{"source": "un_sc"}', '{"source": "x", "format": "un_xml", "sha256": "a", '
     '"retrieved_at": "t", "version_date": null, "entries": 1, "names": 1, "files": []}'],
)
def test_damaged_manifest_is_reported(settings: Settings, damage: str) -> None:
    version = stage(settings, "un_sc", {"list.xml": b"<x/>"}, "2026-03-01T10:00:00.000000Z")
    (version.folder / "manifest.json").write_text(damage, encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        registry.versions(settings, "un_sc")
    assert caught.value.key == "watchlists.registry.bad_manifest"
    assert str(version.folder / "manifest.json") in str(caught.value)
