"""The list sources file (``watchlists/sources.yaml``): read and validated in full before use.

Every source has an id, an English and a French title, a format and either ``files`` (URLs
downloaded together into one stored version) or ``path`` (a file shipped with the deployment).
A relative ``path`` is resolved against the sources file's folder, like relative paths in the
settings file, so a deployment's own copy can keep its national list beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from aml_screen.errors import ConfigError
from aml_screen.watchlists.formats import FORMAT_NAMES

_SOURCE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_KEYS = {"id", "title", "format", "files", "path"}
URL_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class SourceFile:
    """One file of a downloadable source, saved under ``name`` in the version folder."""

    name: str
    url: str


@dataclass(frozen=True)
class Source:
    id: str
    title_en: str
    title_fr: str
    format: str
    title_ar: str = ""
    """Optional: a unit's own source may have no Arabic title (its English is shown)."""
    files: tuple[SourceFile, ...] = ()
    """Downloaded together; the first is the file given to the parser."""
    path: Path | None = None
    """Absolute path of a bundled list file (sources without ``files``)."""

    @property
    def downloadable(self) -> bool:
        return bool(self.files)

    def title(self, lang: str) -> str:
        if lang == "fr":
            return self.title_fr
        return (self.title_ar or self.title_en) if lang == "ar" else self.title_en


def is_web_url(url: str) -> bool:
    """Only http(s) URLs with a host are fetched: no ``file:``, ``ftp:`` or ``data:``."""
    parts = urlsplit(url)
    return parts.scheme in URL_SCHEMES and bool(parts.netloc)


def load_sources(path: Path) -> dict[str, Source]:
    """The sources of ``path`` by id, in file order; any problem raises ``ConfigError``.
    Parsed once per version of the file (its time and size): the web's list look-ups ask
    for them on every request, and parsing the YAML cost more than the look-up itself."""
    if not path.is_file():
        raise ConfigError("watchlists.sources.missing", path=str(path))
    stat = path.stat()
    return dict(_parsed_sources(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _parsed_sources(path: Path, _mtime_ns: int, _size: int) -> dict[str, Source]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError("watchlists.sources.bad_yaml", path=str(path), detail=exc) from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError("watchlists.sources.no_list", path=str(path))
    sources: dict[str, Source] = {}
    for index, entry in enumerate(entries, start=1):
        source = _source(path, index, entry)
        if source.id in sources:
            raise ConfigError("watchlists.sources.duplicate_id", path=str(path), source=source.id)
        sources[source.id] = source
    return sources


def _source(path: Path, index: int, entry: Any) -> Source:
    where = {"path": str(path)}
    if not isinstance(entry, dict):
        raise ConfigError("watchlists.sources.not_mapping", index=index, **where)
    source_id = entry.get("id")
    if not isinstance(source_id, str) or not _SOURCE_ID.match(source_id):
        raise ConfigError("watchlists.sources.bad_id", index=index, value=source_id, **where)
    where["source"] = source_id
    unknown = sorted(str(key) for key in entry if key not in _KEYS)
    if unknown:
        raise ConfigError("watchlists.sources.unknown_keys", keys=", ".join(unknown),
                          allowed=", ".join(sorted(_KEYS)), **where)
    title = entry.get("title")
    if not (isinstance(title, dict) and all(_text(title.get(lang)) for lang in ("en", "fr"))):
        raise ConfigError("watchlists.sources.bad_title", **where)
    if entry.get("format") not in FORMAT_NAMES:
        raise ConfigError("watchlists.sources.bad_format", value=entry.get("format"),
                          formats=", ".join(FORMAT_NAMES), **where)
    if ("files" in entry) == ("path" in entry):
        raise ConfigError("watchlists.sources.files_or_path", **where)
    files: tuple[SourceFile, ...] = ()
    bundled: Path | None = None
    if "files" in entry:
        files = _files(entry["files"], where)
    elif _text(entry["path"]):
        bundled = (path.parent / entry["path"]).resolve()
    else:
        raise ConfigError("watchlists.sources.bad_path", **where)
    return Source(id=source_id, title_en=title["en"].strip(), title_fr=title["fr"].strip(),
                  title_ar=title["ar"].strip() if _text(title.get("ar")) else "",
                  format=entry["format"], files=files, path=bundled)


def _files(raw: Any, where: dict[str, str]) -> tuple[SourceFile, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("watchlists.sources.no_files", **where)
    files: list[SourceFile] = []
    for index, item in enumerate(raw, start=1):
        if not (isinstance(item, dict) and set(item) == {"name", "url"}
                and _text(item["name"]) and _text(item["url"])):
            raise ConfigError("watchlists.sources.bad_file_entry", index=index, **where)
        name, url = item["name"].strip(), item["url"].strip()
        if not _FILE_NAME.match(name) or name in {f.name for f in files} or name == "manifest.json":
            raise ConfigError("watchlists.sources.bad_file_name", name=name, **where)
        if not is_web_url(url):
            raise ConfigError("watchlists.sources.bad_url", url=url, **where)
        files.append(SourceFile(name=name, url=url))
    return tuple(files)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
