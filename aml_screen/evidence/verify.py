"""Checking a package against its own manifest: every file listed must be there with the
recorded SHA-256 and size, and nothing else may be there. The ZIP's own digest is what the
audit trail binds on approval; this check shows which part changed when it no longer
matches."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from aml_screen.evidence.package import MANIFEST


@dataclass(frozen=True)
class VerifyReport:
    sha256: str
    """Digest of the whole ZIP, as recorded by ``evidence.prepared`` / ``evidence.approved``."""
    files: int = 0
    case_id: int | None = None
    case_version: int | None = None
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    problem: str | None = None
    """``not_zip``, ``no_manifest`` or ``bad_manifest`` when the files cannot be checked."""

    @property
    def ok(self) -> bool:
        return self.problem is None and not (self.missing or self.extra or self.altered)


def _listing(manifest: Any) -> dict[str, tuple[str, int]] | None:
    """``name -> (sha256, size)`` from a manifest, None if it is not one."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        return None
    listing: dict[str, tuple[str, int]] = {}
    for item in manifest["files"]:
        if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                and isinstance(item.get("sha256"), str) and isinstance(item.get("size"), int)):
            return None
        listing[item["name"]] = (item["sha256"], item["size"])
    return listing


def _read(archive: zipfile.ZipFile, name: str) -> tuple[str, int] | None:
    """SHA-256 and size of an entry; None when it cannot be read back (bytes changed
    inside the ZIP without its CRC)."""
    try:
        data = archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None
    return hashlib.sha256(data).hexdigest(), len(data)


def verify_package(content: bytes) -> VerifyReport:
    digest = hashlib.sha256(content).hexdigest()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = [info.filename for info in archive.infolist()]
        if MANIFEST not in names:
            return VerifyReport(digest, problem="no_manifest")
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, EOFError, OSError):
        return VerifyReport(digest, problem="not_zip")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return VerifyReport(digest, problem="bad_manifest")
    listing = _listing(manifest)
    if listing is None:
        return VerifyReport(digest, problem="bad_manifest")
    duplicated = {n for n in names if names.count(n) > 1}
    altered = sorted(name for name, (sha, size) in listing.items()
                     if name in names and _read(archive, name) != (sha, size))
    return VerifyReport(
        digest, files=len(listing),
        case_id=manifest.get("case_id") if isinstance(manifest.get("case_id"), int) else None,
        case_version=manifest.get("case_version")
        if isinstance(manifest.get("case_version"), int) else None,
        missing=sorted(set(listing) - set(names)),
        extra=sorted((set(names) - set(listing) - {MANIFEST}) | duplicated),
        altered=altered,
    )
