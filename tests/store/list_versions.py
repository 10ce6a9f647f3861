"""Two stored versions of the sample national list, as ``watchlists update`` leaves them:
the second adds an entry matching a party of the sample batch (``ADDED_ENTRY``) and
removes one the sample batch hits (``REMOVED_ENTRY``)."""

from __future__ import annotations

import hashlib

from aml_screen.settings import Settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.registry import StoredFile, Version
from tests.jobs.lists import ADDED_ENTRY, SAMPLES

SOURCE = "sample_national"
REMOVED_ENTRY = "ML-GEL-2024-010"
ADDED_ID = "ML-GEL-2025-042"


def store_version(settings: Settings, text: str, retrieved_at: str,
                  version_date: str | None = None) -> Version:
    """``text`` committed as a stored version of ``SOURCE``."""
    staging = registry.source_dir(settings, SOURCE) / f".download-{retrieved_at}"
    staging.mkdir(parents=True)
    data = text.encode("utf-8")
    (staging / "national.csv").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    stored = StoredFile(name="national.csv", url="https://gel.example/national.csv",
                        sha256=digest, bytes=len(data))
    version = Version(folder=staging, source=SOURCE, format="custom_csv", sha256=digest,
                      retrieved_at=retrieved_at, version_date=version_date, entries=0,
                      names=0, files=(stored,))
    return registry.commit(staging, version)


def sample_text() -> str:
    return (SAMPLES / "national_sample.csv").read_text(encoding="utf-8")


def store_both(settings: Settings) -> tuple[Version, Version]:
    """The sample national list as it is, then with ``ADDED_ENTRY`` and without
    ``REMOVED_ENTRY``."""
    old = store_version(settings, sample_text(), "2026-12-01T06:00:00.000000Z")
    lines = [line for line in sample_text().splitlines(keepends=True)
             if not line.startswith(f"{REMOVED_ENTRY},")]
    new = store_version(settings, "".join(lines) + ADDED_ENTRY,
                        "2026-12-07T06:00:00.000000Z", "2026-12-07")
    return old, new
