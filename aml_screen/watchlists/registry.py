"""Downloaded list versions on disk: ``<data_dir>/watchlists/<source>/<version>/``.

Each version folder is named ``<UTC timestamp>_<sha256 prefix>`` and holds the downloaded
files plus ``manifest.json``. The newest manifest is the current version: no symlink or
"current" pointer file, so the layout works on any file system and a version only becomes
visible once its folder has been renamed into place complete with its manifest. Folders
starting with a dot are downloads in progress (or left over by a crash) and are ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aml_screen.errors import WatchlistError
from aml_screen.settings import Settings

MANIFEST = "manifest.json"
SHA_PREFIX = 12
_CHUNK = 1 << 16


@dataclass(frozen=True)
class StoredFile:
    name: str
    url: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Version:
    """One stored version of a source, as its manifest describes it."""

    folder: Path
    source: str
    format: str
    sha256: str
    retrieved_at: str
    version_date: str | None
    entries: int
    names: int
    files: tuple[StoredFile, ...]

    @property
    def primary(self) -> Path:
        """The file given to the parser (the first file of the source)."""
        return self.folder / self.files[0].name

    def manifest(self) -> dict[str, Any]:
        return {
            "source": self.source, "format": self.format, "sha256": self.sha256,
            "retrieved_at": self.retrieved_at, "version_date": self.version_date,
            "entries": self.entries, "names": self.names,
            "files": [{"name": f.name, "url": f.url, "sha256": f.sha256, "bytes": f.bytes}
                      for f in self.files],
        }


def utc_now() -> str:
    """ISO UTC timestamp with microseconds: sorts as text, and two versions stored in the
    same second still get distinct, ordered folder names."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def combined_sha256(hashes: Mapping[str, str]) -> str:
    """One hash for a set of files (name → sha256): the file's own hash for a single file,
    else the sha256 of the files' hex digests, one per line, in file-name order."""
    if len(hashes) == 1:
        return next(iter(hashes.values()))
    lines = "".join(f"{hashes[name]}\n" for name in sorted(hashes))
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def source_dir(settings: Settings, source_id: str) -> Path:
    return settings.data_dir / "watchlists" / source_id


def versions(settings: Settings, source_id: str) -> list[Version]:
    """Stored versions of ``source_id``, oldest first."""
    root = source_dir(settings, source_id)
    if not root.is_dir():
        return []
    found = [_read(folder) for folder in root.iterdir()
             if folder.is_dir() and not folder.name.startswith(".")
             and (folder / MANIFEST).is_file()]
    return sorted(found, key=lambda v: (v.retrieved_at, v.folder.name))


def current(settings: Settings, source_id: str) -> Version | None:
    """The newest stored version of ``source_id``, or None before the first download."""
    stored = versions(settings, source_id)
    return stored[-1] if stored else None


def latest_two(settings: Settings, source_id: str) -> tuple[Version, Version]:
    """The two newest stored versions of ``source_id``, older first."""
    stored = versions(settings, source_id)
    if len(stored) < 2:
        raise WatchlistError("cli.diff.two_versions", source=source_id, count=len(stored))
    return stored[-2], stored[-1]


def commit(staging: Path, version: Version) -> Version:
    """Write the manifest into ``staging`` and rename it into place as a version folder.

    ``staging`` must sit in the source's folder (same file system), so the rename is atomic:
    readers see either no new version or a complete one.
    """
    name = f"{version.retrieved_at.replace('-', '').replace(':', '')}_{version.sha256[:SHA_PREFIX]}"
    target = staging.parent / name
    (staging / MANIFEST).write_text(
        json.dumps(version.manifest(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.rename(staging, target)
    return _read(target)


def verify(version: Version) -> None:
    """Refuse a version whose files no longer match their manifest (edited or damaged)."""
    for stored in version.files:
        path = version.folder / stored.name
        if not path.is_file() or sha256_file(path) != stored.sha256:
            raise WatchlistError("watchlists.registry.tampered", folder=str(version.folder),
                                 file=stored.name)


def _read(folder: Path) -> Version:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = tuple(StoredFile(name=str(f["name"]), url=str(f["url"]),
                                 sha256=str(f["sha256"]), bytes=int(f["bytes"]))
                      for f in data["files"])
        if not files:
            raise ValueError("no files")
        return Version(
            folder=folder, source=str(data["source"]), format=str(data["format"]),
            sha256=str(data["sha256"]), retrieved_at=str(data["retrieved_at"]),
            version_date=None if data["version_date"] is None else str(data["version_date"]),
            entries=int(data["entries"]), names=int(data["names"]), files=files,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WatchlistError("watchlists.registry.bad_manifest",
                             path=str(folder / MANIFEST), detail=exc) from None
