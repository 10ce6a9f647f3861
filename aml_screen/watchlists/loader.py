"""Turn a ``--watchlist`` value into a parsed list: a configured source or a file/folder path.

A downloadable source loads its newest stored version (after checking its files still match
their manifest); a source with a bundled ``path`` loads that file; anything else must be a
file or an OFAC CSV folder, whose format is recognised from its content.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aml_screen.errors import WatchlistError
from aml_screen.settings import Settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.formats import FORMAT_NAMES, ofac_set, parser_for, version_files
from aml_screen.watchlists.sources import Source, load_sources

_HEAD_BYTES = 8192
_XML_NOISE = re.compile(r"<\?.*?\?>|<!--.*?-->", re.DOTALL)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_HTML = re.compile(r"<(!doctype\s+)?html\b", re.IGNORECASE)
_OFAC_ROW = re.compile(r'^\d+,("|-0-)')
_FTM_ID = re.compile(r'"id"\s*:\s*"')
_FTM_SCHEMA = re.compile(r'"schema"\s*:\s*"[A-Z]')


@dataclass(frozen=True, eq=False)
class Watchlist:
    """A parsed list and where it came from: what a screening run records as the list used.

    Compared by identity (``eq=False``): field-wise equality would compare DataFrames, which
    polars answers element by element rather than with one bool.
    """

    list_id: str
    source: str
    """Source id, or the path of a plain file."""
    format: str
    sha256: str
    version_date: str | None
    retrieved_at: str | None
    """ISO UTC time of download for stored versions; None for a plain or bundled file."""
    entries: pl.DataFrame

    def version(self) -> dict[str, object]:
        """JSON-able description of exactly which list version was used."""
        return {
            "list_id": self.list_id, "source": self.source, "format": self.format,
            "sha256": self.sha256, "version_date": self.version_date,
            "retrieved_at": self.retrieved_at,
            "entries": self.entries.get_column("entry_id").n_unique(),
            "names": self.entries.height,
        }


def detect_format(path: Path) -> str:
    """The list format of ``path`` from its content (XML root element, JSON or CSV first
    line), then its extension (an unrecognised ``.csv`` is a custom list); a folder is an
    OFAC CSV set."""
    if path.is_dir():
        if ofac_set(path) is None:
            raise WatchlistError("watchlists.loader.unknown_folder", path=str(path))
        return "ofac_csv"
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise WatchlistError("watchlists.loader.unreadable", path=str(path),
                             detail=exc.strerror or exc) from None
    if head.startswith((b"\x1f\x8b", b"PK\x03\x04")):
        raise WatchlistError("watchlists.loader.compressed", path=str(path))
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise WatchlistError("watchlists.loader.empty_file", path=str(path))
    found = (_sniff_xml(path, text) if text.startswith("<")
             else _sniff_json(text) if text.startswith("{") else _sniff_csv(text))
    if found is None and path.suffix.lower() == ".csv":
        found = "custom_csv"
    if found is None:
        raise WatchlistError("watchlists.loader.unknown_content", path=str(path),
                             formats=", ".join(FORMAT_NAMES))
    return found


def _sniff_xml(path: Path, text: str) -> str | None:
    body = _XML_NOISE.sub("", text).lstrip()
    if _HTML.match(body):
        raise WatchlistError("watchlists.loader.html_page", path=str(path))
    match = _XML_ROOT.search(body)
    root = match.group(1).rpartition(":")[2] if match else ""
    return {"CONSOLIDATED_LIST": "un_xml", "export": "eu_xml"}.get(root)


def _sniff_json(text: str) -> str | None:
    """``ftm`` when the first line starts a FollowTheMoney entity (its ``id`` and ``schema``
    keys, in the head read: a nested line can be longer than the head)."""
    first = text.split("\n", 1)[0]
    return "ftm" if _FTM_ID.search(first) and _FTM_SCHEMA.search(first) else None


def _sniff_csv(text: str) -> str | None:
    first = text.split("\n", 1)[0].strip().casefold()
    if "entity_logical" in first:
        return "eu_csv"
    if first.startswith("last updated") or ("name 6" in first and "group id" in first):
        return "uk_csv"
    if _OFAC_ROW.match(first):
        return "ofac_csv"
    return None


def load_watchlist(spec: str, settings: Settings) -> Watchlist:
    """Load a configured source by id, else a list file or OFAC folder by path (a source id
    wins over a same-named file in the working directory)."""
    sources = load_sources(settings.sources_file) if settings.sources_file.is_file() else {}
    if spec in sources:
        return _load_source(sources[spec], settings)
    path = Path(spec).expanduser()
    if path.exists():
        return _load_path(path)
    if not settings.sources_file.is_file():
        raise WatchlistError("watchlists.loader.unknown_no_sources", spec=spec,
                             path=str(settings.sources_file))
    raise WatchlistError("watchlists.loader.unknown", spec=spec,
                         names=", ".join(sources) or "-")


def load_version(version: registry.Version) -> Watchlist:
    """One stored version of a downloadable source (after checking its files)."""
    registry.verify(version)
    return _parse(version.primary, version.format, version.source, version.source,
                  version.sha256, version.retrieved_at, fallback_date=version.version_date)


def stored_version(settings: Settings, source_id: str, ref: str) -> registry.Version:
    """The stored version of ``source_id`` that ``ref`` names: the start of its SHA-256 (as
    ``watchlists list`` shows it), its version date or its retrieval time."""
    stored = registry.versions(settings, source_id)
    if not stored:
        raise WatchlistError("watchlists.loader.no_version", source=source_id)
    found = [v for v in stored if v.sha256.startswith(ref.lower()) or v.version_date == ref
             or v.retrieved_at.startswith(ref)]
    if len(found) != 1:
        raise WatchlistError("watchlists.loader.no_such_version" if not found
                             else "watchlists.loader.ambiguous_version",
                             source=source_id, ref=ref, count=len(found))
    return found[0]


def load_watchlists(specs: Sequence[str], settings: Settings) -> list[Watchlist]:
    """Load each distinct spec; two specs giving the same list id are refused, since hits
    are reported by list id."""
    loaded: dict[str, tuple[str, Watchlist]] = {}
    for spec in dict.fromkeys(specs):
        watchlist = load_watchlist(spec, settings)
        if watchlist.list_id in loaded:
            raise WatchlistError("watchlists.loader.duplicate_list_id", list_id=watchlist.list_id,
                                 first=loaded[watchlist.list_id][0], second=spec)
        loaded[watchlist.list_id] = (spec, watchlist)
    return [watchlist for _, watchlist in loaded.values()]


def _load_source(source: Source, settings: Settings) -> Watchlist:
    if source.path is not None:
        if not source.path.exists():
            raise WatchlistError("watchlists.loader.missing_file", source=source.id,
                                 path=str(source.path))
        return _parse(source.path, source.format, source.id, source.id,
                      _files_sha256(source.format, source.path), None)
    version = registry.current(settings, source.id)
    if version is None:
        raise WatchlistError("watchlists.loader.no_version", source=source.id)
    return load_version(version)


def _load_path(path: Path) -> Watchlist:
    """A plain file keeps its parser's default list id, except that OFAC's non-SDN set is
    told apart from the SDN set (both use the same parser and layout)."""
    list_format = detect_format(path)
    found = ofac_set(path) if list_format == "ofac_csv" else None
    return _parse(path, list_format, found[0] if found else None, str(path),
                  _files_sha256(list_format, path), None)


def _parse(path: Path, list_format: str, list_id: str | None, source: str, sha256: str,
           retrieved_at: str | None, fallback_date: str | None = None) -> Watchlist:
    parser = parser_for(list_format)
    parsed = parser(path) if list_id is None else parser(path, list_id)
    entries = parsed.entries
    if entries.height == 0:
        raise WatchlistError("watchlists.loader.empty", source=source)
    return Watchlist(
        list_id=list_id or str(entries.get_column("list_id")[0]), source=source,
        format=list_format, sha256=sha256, version_date=parsed.version_date or fallback_date,
        retrieved_at=retrieved_at, entries=entries,
    )


def _files_sha256(list_format: str, path: Path) -> str:
    files = version_files(list_format, path)
    return registry.combined_sha256({f.name: registry.sha256_file(f) for f in files})
