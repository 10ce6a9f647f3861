"""Fetch a source's files into a new stored version, refusing anything that does not parse.

Files are downloaded into a dot-folder beside the versions, hashed while streaming, then
parsed with the source's own parser. Only a download that parses and yields at least one
name is renamed into place; an identical download (same combined sha256 as the current
version) is reported as unchanged and not stored twice. Whatever happens, the previous
version stays current until a new one is complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError

from aml_screen import __version__
from aml_screen.errors import AmlScreenError, WatchlistError
from aml_screen.settings import Settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.formats import parser_for
from aml_screen.watchlists.loader import detect_format
from aml_screen.watchlists.registry import StoredFile, Version
from aml_screen.watchlists.sources import Source, SourceFile, is_web_url

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as ``(label, bytes received so far, total bytes or None)``: once at 0 when a
file starts, then after every chunk."""

USER_AGENT = f"aml-screen/{__version__} (watchlist update; +https://github.com/aml-screen)"
RETRY_DELAYS: tuple[float, ...] = (2.0, 6.0)
"""Pauses before the (at most two) retries of a failed transfer; 4xx answers are final."""
_CHUNK = 1 << 16


@dataclass(frozen=True)
class UpdateResult:
    source: str
    version: Version
    changed: bool
    """False when the download was identical to the current version (nothing stored)."""


class _TransientError(Exception):
    """A failure worth retrying: network error, timeout, cut transfer, 5xx answer."""


def _opener() -> urllib.request.OpenerDirector:
    """http/https only, redirects included: no ``file:``/``ftp:`` handler to be redirected to."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                    urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPRedirectHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str, dest: Path, *, timeout: float, label: str,
          progress: ProgressCallback | None = None) -> StoredFile:
    """Download ``url`` to ``dest``; non-2xx answers and failures raise ``WatchlistError``."""
    if not is_web_url(url):
        raise WatchlistError("watchlists.download.bad_url", url=url)
    for delay in RETRY_DELAYS:
        try:
            return _fetch_once(url, dest, timeout=timeout, label=label, progress=progress)
        except _TransientError:
            time.sleep(delay)
    try:
        return _fetch_once(url, dest, timeout=timeout, label=label, progress=progress)
    except _TransientError as exc:
        raise WatchlistError("watchlists.download.failed", url=url, detail=exc,
                             attempts=len(RETRY_DELAYS) + 1) from exc


def _fetch_once(url: str, dest: Path, *, timeout: float, label: str,
                progress: ProgressCallback | None) -> StoredFile:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (scheme checked in fetch)
    digest = hashlib.sha256()
    done = 0
    try:
        with _opener().open(request, timeout=timeout) as response, dest.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if progress:
                progress(label, 0, total)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(label, done, total)
    except HTTPError as exc:
        exc.close()  # the error carries the open response; release its socket now
        if exc.code >= 500:
            raise _TransientError(f"HTTP {exc.code} {exc.reason}") from exc
        raise WatchlistError("watchlists.download.http_status", url=url, status=exc.code,
                             reason=exc.reason) from None
    except (URLError, HTTPException, OSError) as exc:
        reason = exc.reason if isinstance(exc, URLError) else exc
        raise _TransientError(str(reason) or type(exc).__name__) from exc
    if total is not None and done != total:
        raise _TransientError(f"{done} of {total} bytes")
    return StoredFile(name=dest.name, url=url, sha256=digest.hexdigest(), bytes=done)


def update_source(source: Source, settings: Settings,
                  progress: ProgressCallback | None = None) -> UpdateResult:
    """Download ``source`` and store it as a new version unless identical to the current one."""
    if not source.downloadable:
        raise WatchlistError("watchlists.download.not_downloadable", source=source.id)
    root = registry.source_dir(settings, source.id)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=root))
    try:
        retrieved_at = registry.utc_now()
        stored = tuple(_fetch_file(f, staging, source.id, settings, progress) for f in source.files)
        sha256 = registry.combined_sha256({f.name: f.sha256 for f in stored})
        previous = registry.current(settings, source.id)
        if previous is not None and previous.sha256 == sha256:
            return UpdateResult(source=source.id, version=previous, changed=False)
        version = _parse_download(source, staging, stored, sha256, retrieved_at)
        return UpdateResult(source=source.id, version=registry.commit(staging, version),
                            changed=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _fetch_file(file: SourceFile, staging: Path, source_id: str, settings: Settings,
                progress: ProgressCallback | None) -> StoredFile:
    return fetch(file.url, staging / file.name, timeout=settings.download_timeout,
                 label=f"{source_id}/{file.name}", progress=progress)


def _parse_download(source: Source, staging: Path, stored: tuple[StoredFile, ...],
                    sha256: str, retrieved_at: str) -> Version:
    """Parse the download with the source's parser; refuse it if that fails or finds nothing."""
    primary = staging / stored[0].name
    try:
        detected = detect_format(primary)
        if detected != source.format:
            raise WatchlistError("watchlists.download.wrong_format", expected=source.format,
                                 found=detected)
        parsed = parser_for(source.format)(primary, source.id)
    except Exception as exc:  # a downloaded file is untrusted: any parser failure refuses it
        # Name the file as the user knows it, not by the staging folder about to be deleted.
        def known(text: str) -> str:
            return text.replace(f"{staging}{os.sep}", "")

        detail: str | dict[str, Any] = (
            {"key": exc.key, "params": {name: known(str(value))
                                        for name, value in exc.params.items()}}
            if isinstance(exc, AmlScreenError) else known(f"{type(exc).__name__}: {exc}"))
        raise WatchlistError("watchlists.download.refused", source=source.id,
                             detail=detail) from exc
    names = parsed.entries.height
    if names == 0:
        raise WatchlistError("watchlists.download.no_names", source=source.id)
    return Version(
        folder=staging, source=source.id, format=source.format, sha256=sha256,
        retrieved_at=retrieved_at, version_date=parsed.version_date,
        entries=parsed.entries.get_column("entry_id").n_unique(), names=names, files=stored,
    )
