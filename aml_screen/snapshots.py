"""Content-addressed copies of what a screening run used, so that a batch can be replayed
later with exactly the same list versions and rule pack (``aml_screen.replay``).

- ``data_dir/list_versions/<sha256>/``: the files of one list version (the sha256 a run
  records for it) and ``manifest.json``. Downloaded versions are also in the registry, but
  lists given as files (the bundled samples, a national list path) exist nowhere else.
- ``data_dir/rule_packs/<digest>/``: the rules folder (rule files, its ``parameters.yaml``,
  worked examples) under ``rules/``, the deployment's parameters override under
  ``override/``, and ``manifest.json``. ``rule_pack_digest`` covers all of them, the
  folder's own ``parameters.yaml`` included (thresholds change results as much as rules).

A snapshot is written once, into a dot-folder renamed into place complete, and every read
checks each file against its digest, so a damaged or edited copy is refused, never used.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aml_screen.errors import AmlScreenError
from aml_screen.settings import Settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.formats import parser_for, version_files
from aml_screen.watchlists.loader import Watchlist
from aml_screen.watchlists.sources import load_sources

MANIFEST = "manifest.json"
RULES = "rules"
OVERRIDE = "override"


class SnapshotError(AmlScreenError):
    """A snapshot that cannot be written or that no longer matches its digest."""


def list_versions_dir(settings: Settings) -> Path:
    return settings.data_dir / "list_versions"


def rule_packs_dir(settings: Settings) -> Path:
    return settings.data_dir / "rule_packs"


def _write_once(target: Path, files: dict[str, Path], manifest: dict[str, Any]) -> Path:
    """Copy ``files`` (relative name → source) into ``target`` with ``manifest``, unless it
    is already there. Written into a dot-folder beside it, then renamed: readers see a
    complete snapshot or none."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    for name, source in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staging / name)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    try:
        os.rename(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not target.is_dir():  # not a concurrent writer that won the race
            raise
    return target


def _read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a snapshot, after checking every file it lists."""
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files: dict[str, str] = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SnapshotError("snapshot.bad_manifest", path=str(folder / MANIFEST),
                            detail=exc) from None
    for name, digest in files.items():
        path = folder / name
        if not path.is_file() or registry.sha256_file(path) != digest:
            raise SnapshotError("snapshot.tampered", folder=str(folder), file=name)
    return manifest


# --- list versions -----------------------------------------------------------------------

def _list_files(settings: Settings, watchlist: Watchlist) -> list[Path]:
    """The files the list version was parsed from: a bundled source's file, a stored
    registry version's files, or the plain file (set) named by ``source``."""
    sources = load_sources(settings.sources_file) if settings.sources_file.is_file() else {}
    source = sources.get(watchlist.source)
    if source is not None and source.path is not None:
        return version_files(watchlist.format, source.path)
    if source is not None:
        for version in registry.versions(settings, source.id):
            if version.sha256 == watchlist.sha256:
                registry.verify(version)
                return [version.folder / f.name for f in version.files]
        raise SnapshotError("snapshot.list_not_found", list_id=watchlist.list_id,
                            sha256=watchlist.sha256)
    return version_files(watchlist.format, Path(watchlist.source).expanduser())


def snapshot_lists(settings: Settings, watchlists: Sequence[Watchlist]) -> list[Path]:
    """Keep a copy of each list version's files under ``list_versions/<sha256>/`` (once);
    refuses a file that changed since the list was loaded. Returns the snapshot folders."""
    folders = []
    for watchlist in watchlists:
        target = list_versions_dir(settings) / watchlist.sha256
        if target.is_dir():
            folders.append(target)
            continue
        paths = _list_files(settings, watchlist)
        hashes = {path.name: registry.sha256_file(path) for path in paths}
        if registry.combined_sha256(hashes) != watchlist.sha256:
            raise SnapshotError("snapshot.list_changed", list_id=watchlist.list_id,
                                sha256=watchlist.sha256)
        manifest = {"list_id": watchlist.list_id, "source": watchlist.source,
                    "format": watchlist.format, "sha256": watchlist.sha256,
                    "version_date": watchlist.version_date,
                    "retrieved_at": watchlist.retrieved_at, "primary": paths[0].name,
                    "files": hashes}
        folders.append(_write_once(target, {path.name: path for path in paths}, manifest))
    return folders


def load_list_snapshot(settings: Settings, version: dict[str, Any]) -> Watchlist | None:
    """The list version a run recorded (``Batch.list_versions`` item), parsed from its
    snapshot after checking every file; None when there is no snapshot of it."""
    sha256 = str(version["sha256"])
    folder = list_versions_dir(settings) / sha256
    if not folder.is_dir():
        return None
    manifest = _read_manifest(folder)
    if registry.combined_sha256(manifest["files"]) != sha256:
        raise SnapshotError("snapshot.tampered", folder=str(folder), file=MANIFEST)
    return parse_version(folder / str(manifest["primary"]), version)


def parse_version(primary: Path, version: dict[str, Any]) -> Watchlist:
    """Parse the list file ``primary`` as the recorded ``version`` describes it."""
    parsed = parser_for(str(version["format"]))(primary, str(version["list_id"]))
    return Watchlist(list_id=str(version["list_id"]), source=str(version["source"]),
                     format=str(version["format"]), sha256=str(version["sha256"]),
                     version_date=version.get("version_date"),
                     retrieved_at=version.get("retrieved_at"), entries=parsed.entries)


# --- rule packs ---------------------------------------------------------------------------

def _pack_files(rules_dir: Path, parameters: Path | None) -> dict[str, Path]:
    """Relative name in the pack → file: everything in the rules folder (rule files, its
    ``parameters.yaml``, the worked examples the rules are checked against) under
    ``rules/``, the override under ``override/``. Hidden files are left out."""
    files = {f"{RULES}/{path.relative_to(rules_dir).as_posix()}": path
             for path in sorted(rules_dir.rglob("*"))
             if path.is_file()
             and not any(part.startswith(".") for part in path.relative_to(rules_dir).parts)}
    if parameters is not None and parameters.is_file():
        files[f"{OVERRIDE}/{parameters.name}"] = parameters
    return files


def rule_pack_digest(rules_dir: Path, parameters: Path | None) -> str:
    """SHA-256 over every file of the rule pack, by relative name and content."""
    digest = hashlib.sha256()
    for name, path in sorted(_pack_files(rules_dir, parameters).items()):
        digest.update(name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def snapshot_rules(settings: Settings, rules_dir: Path | None,
                   parameters: Path | None) -> str | None:
    """Keep a copy of the rule pack under ``rule_packs/<digest>/`` (once) and return its
    digest, the value to record as the batch's rule digest; None when no rules are used."""
    if rules_dir is None:
        return None
    files = _pack_files(rules_dir, parameters)
    digest = rule_pack_digest(rules_dir, parameters)
    manifest = {"digest": digest,
                "files": {name: registry.sha256_file(path) for name, path in files.items()}}
    _write_once(rule_packs_dir(settings) / digest, files, manifest)
    return digest


@dataclass(frozen=True)
class RulePack:
    rules_dir: Path
    parameters: Path | None
    """The override file, None when the pack has none."""


def load_rule_pack(settings: Settings, digest: str) -> RulePack | None:
    """The stored rule pack ``digest``, checked file by file and as a whole; None when
    there is no snapshot of it."""
    folder = rule_packs_dir(settings) / digest
    if not folder.is_dir():
        return None
    manifest = _read_manifest(folder)
    overrides = sorted(name for name in manifest["files"] if name.startswith(f"{OVERRIDE}/"))
    pack = RulePack(folder / RULES, folder / overrides[0] if overrides else None)
    if rule_pack_digest(pack.rules_dir, pack.parameters) != digest:
        raise SnapshotError("snapshot.tampered", folder=str(folder), file=MANIFEST)
    return pack
