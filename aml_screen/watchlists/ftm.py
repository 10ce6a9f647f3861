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
_FIELDS = {
    "name": "name", "alias": "alias", "previousName": "alias", "weakAlias": "weak_alias",
    "birthDate": "birth_date", "nationality": "nationality", "citizenship": "nationality",
    "country": "country", "jurisdiction": "country", "flag": "country", "topics": "topic",
    "position": "remark.0", "notes": "remark.1",
}
"""Properties read from a screened entity -> the field they feed (remarks in rank order)."""
_IDENTIFIERS = {
    "passportNumber": "Passport", "idNumber": "National Identification Number",
    "innCode": "Tax ID No.", "taxNumber": "Tax ID No.", "vatCode": "Tax ID No.",
    "registrationNumber": "Identification Number", "ogrnCode": "Identification Number",
    "imoNumber": "Identification Number", "swiftBic": "Identification Number",
}
"""Identifier properties -> the labels the other lists' remarks use (``match.documents``)."""
_DOCUMENTS = {"Passport": "Passport", "Identification": "Identification Number"}
_PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_CHUNK = 1_000_000
"""Field values turned into a frame at a time: Python lists are held for one chunk only."""


def parse_ftm(path: Path, list_id: str = "opensanctions") -> ParsedList:
    """Parse an FtM export at ``path``; ``version_date`` is the latest ``last_change``."""
    reader = _Reader()
    for number, entity in _lines(path):
        reader.read(entity, path, number)
    fields = reader.fields()
    names = _name_rows(fields)
    entries = _entry_rows(fields)
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
    number = 0
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


def _texts(properties: dict[str, Any], name: str) -> list[str]:
    """The text values of a property (a nested entity's reference counts as its id)."""
    values = properties.get(name) or []
    found = []
    for value in values if isinstance(values, list) else [values]:
        text = value.get("id") if isinstance(value, dict) else value
        if isinstance(text, str) and text.strip():
            found.append(" ".join(text.split()))
    return found


class _Reader:
    """What the entities read so far say: field values of screened entities as three
    column lists (``entry_id``, ``field``, ``value``; turned into a frame a chunk at a time,
    which is far cheaper than a frame of per-entity dicts with list columns), relationship
    edges, sanctions and documents."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.version_date: str | None = None
        self._ids: list[str] = []
        self._fields: list[str] = []
        self._values: list[str] = []
        self._frames: list[pl.DataFrame] = []
        self._edges: list[tuple[str, str, str, str | None]] = []
        self._sanctions: list[tuple[str, str | None, str | None]] = []

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
            listed = min(_texts(properties, "listingDate") + _texts(properties, "startDate"),
                         default=None)
            programmes: list[str | None] = [*_texts(properties, "program")]
            self._sanctions.extend(
                (target, programme, listed)
                for target in _texts(properties, "entity") or ([parent] if parent else [])
                for programme in programmes or [None])
        elif schema in _DOCUMENTS:
            country = ", ".join(_texts(properties, "country")).upper()
            for holder in _texts(properties, "holder") or ([parent] if parent else []):
                for number in _texts(properties, "number"):
                    self._add(holder, "remark.3", f"{_DOCUMENTS[schema]} {number}"
                              + (f" ({country})." if country else "."))
        if len(self._ids) >= _CHUNK:
            self._flush()

    def _add(self, entity_id: str, field: str, value: str) -> None:
        self._ids.append(entity_id)
        self._fields.append(field)
        self._values.append(value)

    def _entity(self, entity_id: str, schema: str, entity: dict[str, Any],
                properties: dict[str, Any]) -> None:
        self._add(entity_id, "entity_type", ENTITY_TYPES[schema])
        named = False
        for prop, values in properties.items():
            field = _FIELDS.get(prop)
            label = _IDENTIFIERS.get(prop) if field is None else None
            if field is None and label is None:
                continue
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and value.strip():
                    text = " ".join(value.split())
                    if label is not None:
                        self._add(entity_id, "remark.2", f"{label} {text}.")
                    else:
                        self._add(entity_id, field or "", text)
                        named = named or field == "name"
        for topic in _texts(entity, "topics"):  # some exports state topics beside properties
            self._add(entity_id, "topic", topic)
        if not named:
            parts = _texts(properties, "firstName") + _texts(properties, "lastName")
            if parts:
                self._add(entity_id, "name", " ".join(parts))

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
        if self._ids:
            self._frames.append(pl.DataFrame(
                {"entry_id": self._ids, "field": self._fields, "value": self._values},
                schema={"entry_id": pl.String, "field": pl.String, "value": pl.String}))
        self._ids, self._fields, self._values = [], [], []

    def fields(self) -> pl.DataFrame:
        """Every (entry_id, field, value) read, in file order; documents stated as their own
        entities are kept only for the screened entities that hold them."""
        self._flush()
        frame = pl.concat(self._frames) if self._frames else pl.DataFrame(
            schema={"entry_id": pl.String, "field": pl.String, "value": pl.String})
        screened = frame.filter(pl.col("field") == "entity_type").select("entry_id")
        return frame.join(screened, on="entry_id", how="semi", maintain_order="left")

    def edges(self) -> pl.DataFrame:
        return pl.DataFrame(self._edges, orient="row", schema={
            "entry_id": pl.String, "other_entry_id": pl.String, "kind": pl.String,
            "role": pl.String})

    def sanctions_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self._sanctions, orient="row", schema={
            "entry_id": pl.String, "programme": pl.String, "listed": pl.String})


def _name_rows(fields: pl.DataFrame) -> pl.DataFrame:
    """``entry_id, name, name_kind``: an entity's first ``name`` is its primary name, its
    other names aliases."""
    kinds = fields.filter(pl.col("field").is_in(["name", "alias", "weak_alias"]))
    first_name = (pl.col("field") == "name") & (
        pl.int_range(pl.len()).over("entry_id", "field") == 0)
    return kinds.select(
        "entry_id", name="value",
        name_kind=pl.when(first_name).then(pl.lit("primary"))
        .when(pl.col("field") == "name").then(pl.lit("alias")).otherwise("field"))


def _entry_rows(fields: pl.DataFrame) -> pl.DataFrame:
    """One row per screened entity with its attributes (lists in file order)."""
    def values(field: str) -> pl.Expr:
        return pl.col("value").filter(pl.col("field") == field)

    remark = pl.col("field").str.starts_with("remark.")
    sentence = pl.when(pl.col("value").str.contains(r"[.!?]$")).then(pl.col("value")).otherwise(
        pl.col("value") + ".")
    return (
        fields.filter((pl.col("field") != "birth_date")
                      | pl.col("value").str.contains(_PARTIAL_DATE))
        .with_columns(value=pl.when(remark).then(sentence).otherwise(pl.col("value")),
                      _rank=pl.when(remark).then(pl.col("field").str.slice(7)))
        .sort("_rank", nulls_last=True, maintain_order=True)
        .group_by("entry_id", maintain_order=True)
        .agg(
            entity_type=values("entity_type").first(),
            birth_dates=values("birth_date").unique(maintain_order=True),
            nationalities=values("nationality").unique(maintain_order=True),
            countries=pl.concat_list(values("nationality").implode(),
                                     values("country").implode()).first(),
            topics=values("topic").unique().sort(),
            remarks=pl.col("value").filter(remark).str.join(" "),
        )
        .with_columns(pl.col("remarks").replace("", None))
    )


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
