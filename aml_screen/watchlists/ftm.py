"""OpenSanctions' FollowTheMoney (FtM) exports to list entries: ``entities.ftm.json`` (one
entity per line) and ``targets.nested.json`` (one target per line, adjacent entities nested
inside its properties).

Each line is ``{"id", "schema", "properties": {name: [values]}}``; a value may itself be an
entity (the nested export), which is read as an entity of its own and referenced by id.
``Person``, ``Organization``, ``Company``, ``LegalEntity``, ``PublicBody``, ``Vessel`` and
``Airplane`` entities become entries: ``name`` (the first is the primary name, more are
aliases), ``alias`` and ``previousName`` (aliases), ``weakAlias`` (weak aliases);
``birthDate``; ``nationality``/``citizenship`` (nationalities, also countries) and
``country``; ``topics`` (``sanction``, ``role.pep``, ``role.rca``, ``crime``...) in the
``topics`` column; ``position``, ``notes`` and the identifiers (``idNumber``,
``passportNumber``, ``innCode``..., and ``Passport``/``Identification`` entities) in
``remarks``, written as the other lists write documents so that ``match.documents`` reads
them. ``Sanction`` entities give their entity's programmes and listing date.

Relationship entities (``RELATIONS``) link two entities; each is kept on its *dependent*
side (the relative, the associate, the owned or directed company...) as a ``relations``
item ``{kind, role, other_entry_id, other_name}`` naming the principal, so that a hit on
the dependent can say "daughter of X" or "company owned by Y".

The file is read line by line (a PEP export has millions of lines) and rows are built a
chunk at a time. An entity already read (the nested export repeats adjacent entities in
every target that holds them) is kept from its first occurrence. A line that is not a JSON
entity is a ``WatchlistError`` naming the file and line: a truncated or corrupted download
must not become a silently shorter list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from aml_screen.errors import WatchlistError
from aml_screen.schema import RELATION_DTYPE
from aml_screen.watchlists.frame import ParsedList
from aml_screen.watchlists.text import assemble, map_countries

ENTITY_TYPES = {
    "Person": "person", "Organization": "organisation", "Company": "organisation",
    "LegalEntity": "organisation", "PublicBody": "organisation", "Vessel": "vessel",
    "Airplane": "aircraft",
}
RELATIONS = {
    "Family": ("family", "person", "relative", "relationship"),
    "Associate": ("associate", "person", "associate", "relationship"),
    "Ownership": ("ownership", "owner", "asset", "ownershipType"),
    "Directorship": ("directorship", "director", "organization", "role"),
    "Employment": ("employment", "employer", "employee", "role"),
    "Membership": ("membership", "organization", "member", "role"),
    "Representation": ("representation", "client", "agent", "role"),
    "UnknownLink": ("link", "subject", "object", "role"),
}
"""Schema -> (kind, principal property, dependent property, role property)."""
_NAME_KINDS = (("alias", "alias"), ("previousName", "alias"), ("weakAlias", "weak_alias"))
_IDENTIFIERS = {
    "passportNumber": "Passport", "idNumber": "National Identification Number",
    "innCode": "Tax ID No.", "taxNumber": "Tax ID No.", "registrationNumber":
    "Registration Number", "imoNumber": "IMO", "ogrnCode": "Registration Number",
}
"""Identifier properties -> the labels the other lists' remarks use (``match.documents``)."""
_DOCUMENTS = {"Passport": "Passport", "Identification": "Identification Number"}
_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_CHUNK = 100_000
"""Entities turned into frame rows at a time: Python lists are held for one chunk only."""


def parse_ftm(path: Path, list_id: str = "opensanctions") -> ParsedList:
    """Parse an FtM export at ``path``; ``version_date`` is the latest ``last_change``."""
    reader = _Reader()
    for number, entity in _lines(path):
        reader.read(entity, path, number)
    names, entries = reader.frames()
    if entries.is_empty():
        raise WatchlistError("watchlists.ftm.no_entries", path=str(path))
    entries = _with_relations(entries, reader.edges(), names)
    entries = _with_sanctions(entries, reader.sanctions_frame())
    entries = map_countries(entries, "nationalities", "countries")
    return assemble(names, entries, list_id, reader.version_date)


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise WatchlistError("watchlists.loader.unreadable", path=str(path),
                             detail=exc.strerror or exc) from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    entity = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise WatchlistError("watchlists.ftm.bad_line", path=str(path), line=number,
                                         detail=exc.msg) from None
                yield number, entity
        except UnicodeDecodeError as exc:
            raise WatchlistError("watchlists.ftm.bad_line", path=str(path), line=number + 1,
                                 detail=exc.reason) from None


def _values(properties: dict[str, Any], name: str) -> list[Any]:
    values = properties.get(name) or []
    return values if isinstance(values, list) else [values]


def _texts(properties: dict[str, Any], name: str) -> list[str]:
    """The text values of a property (a nested entity's reference counts as its id)."""
    found = []
    for value in _values(properties, name):
        text = value.get("id") if isinstance(value, dict) else value
        if isinstance(text, str) and text.strip():
            found.append(" ".join(text.split()))
    return found


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


class _Reader:
    """Entities seen so far, as column lists of the current chunk plus finished frames."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.version_date: str | None = None
        self._names: list[tuple[str, str, str]] = []
        self._entries: list[dict[str, Any]] = []
        self._edges: list[tuple[str, str, str, str | None]] = []
        self._sanctions: list[tuple[str, str | None, str | None]] = []
        self._documents: dict[str, list[str]] = {}
        self._name_frames: list[pl.DataFrame] = []
        self._entry_frames: list[pl.DataFrame] = []

    def read(self, entity: Any, path: Path, line: int, parent: str | None = None) -> None:
        """Record ``entity`` and the entities nested in it (``parent`` holds it)."""
        if not (isinstance(entity, dict) and isinstance(entity.get("id"), str)
                and isinstance(entity.get("schema"), str)
                and isinstance(entity.get("properties", {}), dict)):
            raise WatchlistError("watchlists.ftm.not_entity", path=str(path), line=line)
        entity_id: str = entity["id"]
        schema: str = entity["schema"]
        properties: dict[str, Any] = entity.get("properties") or {}
        for values in properties.values():
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict):
                    self.read(value, path, line, parent=entity_id)
        if entity_id in self.seen:
            return
        self.seen.add(entity_id)
        changed = entity.get("last_change")
        if isinstance(changed, str) and (self.version_date or "") < changed[:10]:
            self.version_date = changed[:10]
        if schema in ENTITY_TYPES:
            self._entity(entity_id, schema, entity, properties)
        elif schema in RELATIONS:
            self._relation(schema, properties, parent)
        elif schema == "Sanction":
            for target in _texts(properties, "entity") or ([parent] if parent else []):
                listed = min(_texts(properties, "listingDate") + _texts(properties, "startDate"),
                             default=None)
                programmes: list[str | None] = [*_texts(properties, "program")]
                for programme in programmes or [None]:
                    self._sanctions.append((target, programme, listed))
        elif schema in _DOCUMENTS:
            for holder in _texts(properties, "holder") or ([parent] if parent else []):
                for number in _texts(properties, "number"):
                    country = ", ".join(_texts(properties, "country")).upper()
                    self._documents.setdefault(holder, []).append(
                        f"{_DOCUMENTS[schema]} {number}" + (f" ({country})." if country else "."))
        if len(self._entries) >= _CHUNK:
            self._flush()

    def _entity(self, entity_id: str, schema: str, entity: dict[str, Any],
                properties: dict[str, Any]) -> None:
        names = _texts(properties, "name") or [" ".join(
            _texts(properties, "firstName") + _texts(properties, "lastName"))]
        self._names.extend((entity_id, name, "primary" if i == 0 else "alias")
                           for i, name in enumerate(names))
        for prop, kind in _NAME_KINDS:
            self._names.extend((entity_id, name, kind) for name in _texts(properties, prop))
        nationalities = _texts(properties, "nationality") + _texts(properties, "citizenship")
        topics = _texts(entity, "topics") or _texts(properties, "topics")
        identifiers = [f"{label} {number}." for prop, label in _IDENTIFIERS.items()
                       for number in _texts(properties, prop)]
        self._entries.append({
            "entry_id": entity_id,
            "entity_type": ENTITY_TYPES[schema],
            "birth_dates": [d for d in _texts(properties, "birthDate")
                            if _PARTIAL_DATE.fullmatch(d)],
            "nationalities": nationalities,
            "countries": nationalities + _texts(properties, "country")
            + _texts(properties, "jurisdiction") + _texts(properties, "flag"),
            "topics": sorted(set(topics)),
            "remarks": " ".join(_sentence(text) for text in [
                *_texts(properties, "position"), *_texts(properties, "notes"), *identifiers,
            ]) or None,
        })

    def _relation(self, schema: str, properties: dict[str, Any], parent: str | None) -> None:
        kind, principal_prop, dependent_prop, role_prop = RELATIONS[schema]
        principals = _texts(properties, principal_prop)
        dependents = _texts(properties, dependent_prop)
        # The nested export may leave out the side that is the entity holding the relation.
        if parent and not principals and parent not in dependents:
            principals = [parent]
        elif parent and not dependents and parent not in principals:
            dependents = [parent]
        role = ", ".join(_texts(properties, role_prop)) or None
        self._edges.extend((dependent, principal, kind, role)
                           for dependent in dependents for principal in principals
                           if dependent != principal)

    def _flush(self) -> None:
        if self._names:
            self._name_frames.append(pl.DataFrame(
                self._names, schema=["entry_id", "name", "name_kind"], orient="row"))
        if self._entries:
            self._entry_frames.append(pl.DataFrame(self._entries, schema=_ENTRY_ROW))
        self._names, self._entries = [], []

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(name rows, entry rows) of every entity read; documents stated as their own
        entities are added to their holder's remarks."""
        self._flush()
        names = pl.concat(self._name_frames) if self._name_frames else pl.DataFrame(
            schema={"entry_id": pl.String, "name": pl.String, "name_kind": pl.String})
        entries = pl.concat(self._entry_frames) if self._entry_frames else pl.DataFrame(
            schema=_ENTRY_ROW)
        documents = pl.DataFrame(
            {"entry_id": list(self._documents),
             "_documents": [" ".join(d) for d in self._documents.values()]},
            schema={"entry_id": pl.String, "_documents": pl.String})
        entries = entries.join(documents, on="entry_id", how="left").with_columns(
            remarks=pl.concat_str("remarks", "_documents", separator=" ", ignore_nulls=True)
            .replace("", None)).drop("_documents")
        return names, entries

    def edges(self) -> pl.DataFrame:
        return pl.DataFrame(self._edges, orient="row", schema={
            "entry_id": pl.String, "other_entry_id": pl.String, "kind": pl.String,
            "role": pl.String})

    def sanctions_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self._sanctions, orient="row", schema={
            "entry_id": pl.String, "programme": pl.String, "listed": pl.String})


_ENTRY_ROW: dict[str, pl.DataType] = {
    "entry_id": pl.String(), "entity_type": pl.String(), "birth_dates": pl.List(pl.String()),
    "nationalities": pl.List(pl.String()), "countries": pl.List(pl.String()),
    "topics": pl.List(pl.String()), "remarks": pl.String(),
}


def _with_relations(entries: pl.DataFrame, edges: pl.DataFrame,
                    names: pl.DataFrame) -> pl.DataFrame:
    """``entries`` with ``relations``: per dependent entity, its principals (with their
    primary name when the file holds them), sorted by kind, name and id."""
    primary = names.filter(pl.col("name_kind") == "primary").unique(
        "entry_id", keep="first").select(other_entry_id="entry_id", other_name="name")
    relations = (
        edges.unique().join(primary, on="other_entry_id", how="left")
        .sort("entry_id", "kind", "other_name", "other_entry_id", "role", nulls_last=True)
        .group_by("entry_id", maintain_order=True)
        .agg(relations=pl.struct("kind", "role", "other_entry_id", "other_name"))
    )
    return entries.join(relations, on="entry_id", how="left").with_columns(
        pl.col("relations").fill_null([]).cast(pl.List(RELATION_DTYPE)))


def _with_sanctions(entries: pl.DataFrame, sanctions: pl.DataFrame) -> pl.DataFrame:
    """``entries`` with ``programmes`` and ``listed_on`` from their ``Sanction`` entities."""
    per_entry = sanctions.group_by("entry_id").agg(
        programmes=pl.col("programme").drop_nulls().unique().sort(),
        listed_on=pl.col("listed").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).min(),
    )
    return entries.join(per_entry, on="entry_id", how="left").with_columns(
        pl.col("programmes").fill_null([]))
