"""Name-level match results kept across batches, so that each distinct name is matched
once per list version rather than once per batch.

Results are stored under ``<folder>/<key>/`` as Parquet part files, one per run that matched
new names. The key is a digest of what a name's result depends on: the list versions
(SHA-256 of each list file), the score floor names were matched at, the engine version and
the source of the matching code (``aml_screen/match``, ``aml_screen/names``), so a change to
any of them starts a fresh folder instead of reusing stale results. Each part holds, per
name matched, one row per name-level hit, or one row without a list name when it had none.

Safe by construction: parts are written under a temporary name then renamed, so a reader
never sees half a file; a part that cannot be read is deleted and its names are matched
again. Bounded: after each store, the oldest parts (by modification time; a part whose
results are used is touched) are removed until the folder is under ``max_bytes``.

A name's result is only the same in every batch if its score does not depend on the rest
of the batch: see ``MatchCache`` for the one way it currently does.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aml_screen import __version__

CODE_DIRS = ("match", "names")
MAX_BYTES = 2 << 30
_PART = "part-*.parquet"


@dataclass(frozen=True)
class CacheLookup:
    """What the cache knows about one batch's distinct names."""

    folder: Path
    unseen: pl.Series
    """The names never matched against these lists: to be matched now."""
    hits: pl.DataFrame
    """Name-level hits (``match_queries``' rows) of the names already matched."""
    names: int
    """Names already matched that had tokens to match (``Queries.names`` counts these)."""


def code_fingerprint(root: Path | None = None) -> str:
    """Digest of the matching code's source files (``.py`` and data files)."""
    base = root or Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json", ".txt"):
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class MatchCache:
    """Match results of distinct names against a set of list versions, on disk.

    Token weights currently count the batch's own names as well as the lists' (see
    ``match.weights``), so a name matched in one batch can score slightly differently from
    the same name in another batch: reused results are those of the batch that first
    matched the name. Results are identical to a cold run only when weights do not depend
    on the batch."""

    def __init__(self, folder: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._code = code_fingerprint()

    def key(self, list_versions: Sequence[str], floor: float) -> str:
        spec = {"lists": sorted(list_versions), "floor": round(float(floor), 3),
                "engine": __version__, "code": self._code}
        return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:32]

    def lookup(self, names: pl.Series, list_versions: Sequence[str], floor: float
               ) -> CacheLookup:
        """Split ``names`` (distinct) into those with cached results and the rest."""
        folder = self.folder / self.key(list_versions, floor)
        wanted = names.alias("party_name").to_frame()
        found: list[pl.DataFrame] = []
        for part in sorted(folder.glob(_PART)):
            rows = _read_part(part)
            if rows is None:
                continue
            used = rows.join(wanted, on="party_name", how="semi")
            if used.height:
                found.append(used)
                part.touch()
        known = (pl.concat(found, how="diagonal_relaxed") if found
                 else pl.DataFrame(schema=_REQUIRED))
        seen = known.select("party_name", "keyed").unique("party_name")
        unseen = wanted.join(seen, on="party_name", how="anti").get_column("party_name")
        hits = known.filter(pl.col("list_id").is_not_null()).drop("keyed")
        return CacheLookup(folder, unseen, hits, int(seen.get_column("keyed").sum()))

    def store(self, lookup: CacheLookup, matched: pl.Series, keyed: pl.Series,
              name_hits: pl.DataFrame | None) -> None:
        """Keep the results of ``matched`` (the lookup's unseen names, now matched; those in
        ``keyed`` had tokens to match) whose hits are ``name_hits`` (None: none were
        matched), then trim the cache."""
        if matched.is_empty():
            return
        names = pl.DataFrame({"party_name": matched}).with_columns(
            keyed=pl.col("party_name").is_in(keyed.implode()),
            list_id=pl.lit(None, dtype=pl.String))
        parts = [names]
        if name_hits is not None and name_hits.height:
            parts = [name_hits.join(names.drop("list_id"), on="party_name", how="inner"),
                     names.join(name_hits.select("party_name").unique(), on="party_name",
                                how="anti")]
        lookup.folder.mkdir(parents=True, exist_ok=True)
        final = lookup.folder / f"part-{os.getpid()}-{uuid.uuid4().hex}.parquet"
        temporary = final.with_suffix(".tmp")
        pl.concat(parts, how="diagonal_relaxed").write_parquet(temporary)
        temporary.replace(final)
        self.trim()

    def trim(self) -> None:
        """Remove the least recently used parts until the cache is under ``max_bytes``."""
        parts = [(p.stat().st_mtime_ns, p.stat().st_size, p)
                 for p in self.folder.glob(f"*/{_PART}")]
        total = sum(size for _, size, _ in parts)
        for _, size, part in sorted(parts):
            if total <= self.max_bytes:
                break
            part.unlink(missing_ok=True)
            total -= size
        for folder in self.folder.iterdir() if self.folder.is_dir() else ():
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


_REQUIRED = {"party_name": pl.String(), "keyed": pl.Boolean(), "list_id": pl.String()}


def _read_part(part: Path) -> pl.DataFrame | None:
    """The part's rows, or None (and the part deleted) when it is unreadable or not a part."""
    try:
        rows = pl.read_parquet(part)
    except (pl.exceptions.PolarsError, OSError, ValueError):
        part.unlink(missing_ok=True)
        return None
    if any(rows.schema.get(name) != dtype for name, dtype in _REQUIRED.items()):
        part.unlink(missing_ok=True)
        return None
    return rows
