"""The members of a ZIP batch, extracted one at a time to be read as files of their own.

A member that is itself a ZIP archive is not opened (refused as a member): archives inside
archives are how a ZIP that contains itself expands without end."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from aml_screen.errors import IngestError
from aml_screen.ingest.sniff import HEAD_BYTES, is_workbook, is_zip

_SKIPPED = ("__MACOSX/",)
"""Folders archivers add beside the files (macOS resource forks)."""


def zip_members(path: Path, source: str, folder: Path, limit: int
                ) -> Iterator[tuple[str, Path | IngestError]]:
    """(member name, its bytes extracted under ``folder``) for every file of the archive,
    in archive order, one at a time (the caller removes each file once read), or the
    error that kept a member from being extracted (encrypted, damaged). Folders and
    archiver litter are skipped; an archive that cannot be opened, or a member that
    inflates past ``limit`` bytes (counted as it inflates, whatever its header says),
    raises ``IngestError``."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError("ingest.bad_zip", path=source, detail=str(exc)) from exc
    with archive:
        for number, info in enumerate(archive.infolist()):
            name = info.filename
            if (info.is_dir() or name.startswith(_SKIPPED)
                    or PurePosixPath(name).name.startswith("._")):
                continue
            target = folder / f"member-{number}"
            try:
                if info.file_size > limit:
                    raise _too_big(source, name, limit)
                with archive.open(info) as stream, target.open("wb") as out:
                    _copy(stream, out, limit, source, name)
            except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as exc:
                yield name, IngestError("ingest.bad_zip_member", path=source, member=name,
                                        detail=str(exc))
            else:
                with target.open("rb") as extracted:
                    head = extracted.read(HEAD_BYTES)
                if is_zip(head) and not is_workbook(head):
                    target.unlink()
                    yield name, IngestError("ingest.nested_zip", path=source, member=name)
                else:
                    yield name, target


def _too_big(source: str, member: str, limit: int) -> IngestError:
    return IngestError("ingest.limit.unpacked", path=source, member=member,
                       limit=limit // (1 << 20))


def _copy(stream: IO[bytes], out: IO[bytes], limit: int, source: str, member: str) -> None:
    """Inflate ``stream`` into ``out``, stopping once more than ``limit`` bytes came out."""
    written = 0
    while block := stream.read(1 << 20):
        written += len(block)
        if written > limit:
            raise _too_big(source, member, limit)
        out.write(block)
