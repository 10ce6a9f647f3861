"""Subject resolution of one batch of party records against the subjects already known.

``resolve(records, known, decisions)`` is the whole API: records of the new batch
(``records.RECORD_SCHEMA``; ``records.party_records`` makes them from a transactions
frame), the compact summary of earlier batches (``known.KnownSubjects``, or None for the
first batch) and the investigators' decisions. Steps:

1. keep of ``known`` only what the batch can touch (``relevant``): the profiles of its
   name keys and birth dates, the identifiers of its values, the rows of its
   counterparties and their subjects. A store
   can ask its tables for exactly these rows (and hand in only them);
2. number the nodes: those known subjects first (sorted by id), then the records in input
   order;
3. links: identifiers that are not hubs (``identifiers``), names (``names``), names
   dealing with a quiet counterparty (``counterparties``), ``same`` decisions
   (``decisions``);
4. connected components (``components``); then the records showing nothing but an
   uncommon name join its one established holder (``sole_holder``) and the components
   are taken again, cut where a ``different`` decision says so or where name-only
   links would join people whose details disagree (``conflicts``);
5. subject ids: a component holding known subjects keeps the id of the one with the most
   records (ties: the smallest id) and the others are *merged* into it (``merged`` lists
   them, so that a store renames them); a component of new records only gets a new id,
   ``S`` + a digest of its first record's id, so the same batches resolved in the same
   order give the same ids;
6. the summary updated with the batch (the rows given plus the batch's, merged subjects
   renamed): a store that handed in a slice of its tables upserts these rows, renames the
   ``merged`` subjects everywhere, deletes the identifier and counterparty rows of
   ``new_hubs`` and
   replaces ``tokens`` and ``key_count``.

Incremental and one-shot runs give the same subjects except where order matters: a record
without birth year takes the one year its name has shown so far (a one-shot run may see
two and hold it apart), a name is rarer while the store is young, and an identifier shows
as a hub only once enough names came with it (``Resolution.review``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from aml_screen.errors import InputError
from aml_screen.schema import conform
from aml_screen.subjects.components import components, kept_apart
from aml_screen.subjects.conflicts import conflicting
from aml_screen.subjects.counterparties import SPACE as CP_SPACE
from aml_screen.subjects.counterparties import busy, contact_hubs, counterparty_edges
from aml_screen.subjects.decisions import DECISIONS, apart_pairs, merge_edges
from aml_screen.subjects.identifiers import hub_table as find_hubs
from aml_screen.subjects.identifiers import identifier_edges
from aml_screen.subjects.known import (
    COUNTERPARTIES,
    HUBS,
    IDENTIFIER_KINDS,
    IDENTIFIERS,
    PROFILES,
    SPACES,
    SUBJECTS,
    KnownSubjects,
    updated_tokens,
)
from aml_screen.subjects.names import name_edges, rarity, token_weight_table
from aml_screen.subjects.records import RECORD_SCHEMA, prepared
from aml_screen.subjects.sole_holder import sole_holder_edges

ASSIGNMENTS: dict[str, pl.DataType] = {
    "record_id": pl.String(), "batch_id": pl.String(), "transaction_id": pl.String(),
    "party_role": pl.String(), "subject_id": pl.String()}
LINKS: dict[str, pl.DataType] = {
    "subject_id": pl.String(), "left": pl.String(), "right": pl.String(),
    "code": pl.String(), "params": pl.String()}
MERGED: dict[str, pl.DataType] = {"subject_id": pl.String(), "into": pl.String()}


@dataclass(frozen=True)
class Resolution:
    """``assignments``: the subject of each new record; ``links``: every accepted link
    (``left``/``right`` a record id or a known subject id; ``params`` JSON), with the
    subject it is part of; ``merged``: known subjects absorbed into another; ``new_hubs``:
    identifiers found to be hubs in this batch; ``review``: the known subjects (by their id
    after this batch) that held one of them, linked through it before it showed as a hub
    (a merchant's account seen under three names in a first batch): their records are worth
    resolving again; ``known``: the summary with this batch."""

    assignments: pl.DataFrame
    links: pl.DataFrame
    merged: pl.DataFrame
    new_hubs: pl.DataFrame
    review: pl.DataFrame
    known: KnownSubjects


def subject_id(record_id: str) -> str:
    return "S" + hashlib.blake2b(record_id.encode(), digest_size=8).hexdigest()


def _identifier_rows(records: pl.DataFrame, owner: str = "node") -> pl.DataFrame:
    """(``owner``, ``name_key``, ``kind``, ``value``, ``records``): each identifier a
    record holds."""
    return records.unpivot(on=list(IDENTIFIER_KINDS), index=[owner, "name_key"],
                           variable_name="kind", value_name="value").drop_nulls(
        "value").with_columns(records=pl.lit(1, pl.UInt32))


def relevant(known: KnownSubjects, records: pl.DataFrame, decisions: pl.DataFrame
             ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The known subjects, profiles, identifiers and counterparties a batch of prepared
    ``records`` can link to: profiles with one of its name keys or full birth dates,
    identifiers with one of its values (in either space), counterparty rows of its
    counterparties, and subjects named by ``decisions``."""
    dates = records.select("birth_date").filter(pl.col("birth_date").str.len_chars() == 10)
    profiles = pl.concat([
        known.profiles.join(records.select("name_key").unique(), on="name_key", how="semi"),
        known.profiles.join(dates.unique(), on="birth_date", how="semi"),
    ]).unique()
    values = pl.concat([records.select(value=pl.col(kind)) for kind in IDENTIFIER_KINDS]
                       ).drop_nulls().unique()
    identifiers = known.identifiers.join(values, on="value", how="semi")
    counterparties = known.counterparties.join(
        records.select("counterparty").drop_nulls().unique(), on="counterparty", how="semi")
    named = pl.concat([decisions.select(subject_id="left"), decisions.select(subject_id="right")])
    touched = pl.concat([frame.select("subject_id")
                         for frame in (profiles, identifiers, counterparties, named)])
    subjects = known.subjects.join(touched.unique(), on="subject_id", how="semi").sort(
        "subject_id")
    return subjects, profiles, identifiers, counterparties


def resolve(records: pl.DataFrame, known: KnownSubjects | None = None,
            decisions: pl.DataFrame | None = None) -> Resolution:
    """Resolve a batch of party records (see the module docstring)."""
    return resolve_prepared(prepared(conform(records, RECORD_SCHEMA)), known, decisions)


def resolve_prepared(batch: pl.DataFrame, known: KnownSubjects | None = None,
                     decisions: pl.DataFrame | None = None) -> Resolution:
    """``resolve`` for records already ``prepared`` (a store prepares them once to ask
    its tables for the rows they can link to)."""
    known = known or KnownSubjects.empty()
    decisions = conform(decisions if decisions is not None else pl.DataFrame(), DECISIONS)
    repeated = batch.filter(pl.col("record_id").is_duplicated() | pl.col("record_id").is_null())
    if not repeated.is_empty():
        raise InputError("subjects.record_id_not_unique", record_id=repeated.item(0, "record_id"))
    subjects, profiles, identifiers, counterparties = relevant(known, batch, decisions)
    first = subjects.height
    subjects = subjects.with_row_index("node")
    batch = batch.with_row_index("node", offset=first)
    refs = pl.concat([subjects.select(ref="subject_id", node="node"),
                      batch.select(ref="record_id", node="node")])
    by_subject = subjects.select("subject_id", "node")

    apart = apart_pairs(decisions, refs)
    members = _unshared(pl.concat([identifiers.join(by_subject, on="subject_id").select(
        "node", "name_key", "kind", "value", "records"), _identifier_rows(batch)]), apart)
    dealings = pl.concat([
        counterparties.join(by_subject, on="subject_id").select(
            "node", "name_key", "counterparty", "account", "records"),
        batch.select("node", "name_key", "counterparty", "account",
                     records=pl.lit(1, pl.UInt32))]).drop_nulls(["name_key", "counterparty"])
    hubs = busy(dealings, find_hubs(members, known.hubs))
    tokens, key_count = updated_tokens(known, batch.get_column("name_key"))
    node_profiles = pl.concat([
        profiles.join(by_subject, on="subject_id").select("node", *list(PROFILES)[1:]),
        batch.select("node", *list(PROFILES)[1:])])
    rarities = rarity(node_profiles.get_column("name_key"),
                      token_weight_table(tokens, key_count))
    edges = pl.concat([identifier_edges(members, hubs), name_edges(node_profiles, rarities, first),
                       counterparty_edges(dealings, hubs), merge_edges(decisions, refs)])
    labels = components(first + batch.height, edges)
    sole = sole_holder_edges(_holding(node_profiles, subjects, batch, hubs), labels, rarities)
    if not sole.is_empty():
        edges = pl.concat([edges, sole])
        labels = components(first + batch.height, edges)
    conflicts = conflicting(first + batch.height, edges, labels, node_profiles)
    labels, edges = kept_apart(labels, edges, pl.concat([apart.cast(pl.UInt32), conflicts]))

    nodes = labels.to_frame("label").with_row_index("node")
    ids = _subject_ids(nodes, subjects, batch)
    merged = (nodes.join(subjects, on="node").join(ids, on="label")
              .filter(pl.col("subject_id") != pl.col("into")).select("subject_id", "into"))
    assigned = batch.join(nodes, on="node").join(ids, on="label").rename({"into": "subject_id"})
    ref_of = refs.rename({"node": "a", "ref": "left"})
    links = (edges.join(ref_of, on="a").join(ref_of.rename({"a": "b", "left": "right"}), on="b")
             .join(nodes.rename({"node": "a"}), on="a").join(ids, on="label")
             .select(subject_id="into", left="left", right="right", code="code", params="params"))
    new_hubs = hubs.join(known.hubs, on=["space", "value"], how="anti")
    held = pl.concat([
        identifiers.select("subject_id", "value", space=pl.col("kind").replace_strict(SPACES)),
        counterparties.select("subject_id", value="counterparty", space=pl.lit(CP_SPACE))])
    review = _renamed(held.join(new_hubs, on=["space", "value"], how="semi"), merged)
    return Resolution(
        assignments=assigned.select(list(ASSIGNMENTS)),
        links=links.cast(LINKS),  # type: ignore[arg-type]
        merged=merged.cast(MERGED),  # type: ignore[arg-type]
        new_hubs=new_hubs,
        review=review.select("subject_id", "space", "value").unique(maintain_order=True),
        known=_updated(known, assigned, merged, hubs, tokens, key_count),
    )


def _holding(node_profiles: pl.DataFrame, subjects: pl.DataFrame, batch: pl.DataFrame,
             hubs: pl.DataFrame) -> pl.DataFrame:
    """What ``sole_holder_edges`` reads of each node: its names and nationalities, the
    records it stands for, and whether it showed an identifier or a birth date (an own
    account, not a hub's)."""
    personal = contact_hubs(hubs)
    shown_record = (pl.any_horizontal(pl.col(c).is_not_null()
                                      for c in ("id_number", "phone", "birth_date"))
                    | (pl.col("account").is_not_null() & ~pl.col("account").is_in(personal)))
    known = node_profiles.filter(pl.col("node") < subjects.height).join(
        subjects.select("node", "records"), on="node").select(
        "node", "name_key", "nationality", "records",
        shown=pl.col("birth_date").is_not_null() | pl.col("id_number").is_not_null())
    fresh = batch.select("node", "name_key", "nationality", records=pl.lit(1, pl.UInt32),
                         shown=shown_record)
    return pl.concat([known.cast(fresh.schema), fresh])


def _unshared(members: pl.DataFrame, apart: pl.DataFrame) -> pl.DataFrame:
    """``members`` without the identifiers both sides of a ``different`` decision hold:
    an investigator said they are two people sharing it (a family's phone), so it says
    nothing of which one a new record is."""
    if apart.is_empty():
        return members
    held = members.select("node", "kind", "value").unique()
    shared = apart.join(held.rename({"node": "a"}), on="a").join(
        held.rename({"node": "b"}), on=["b", "kind", "value"]).select("kind", "value")
    return members.join(shared.unique(), on=["kind", "value"], how="anti")


def _subject_ids(nodes: pl.DataFrame, subjects: pl.DataFrame, batch: pl.DataFrame
                 ) -> pl.DataFrame:
    """(``label``, ``into``): the subject id of each component."""
    kept = (nodes.join(subjects, on="node")
            .sort(["records", "subject_id"], descending=[True, False])
            .group_by("label", maintain_order=True).agg(into=pl.col("subject_id").first()))
    founders = (nodes.join(kept, on="label", how="anti").select("label").unique()
                .join(batch.select(label="node", record_id="record_id"), on="label"))
    fresh = founders.select("label", into=pl.Series(
        [subject_id(r) for r in founders.get_column("record_id").to_list()], dtype=pl.String))
    return pl.concat([kept, fresh])


def _renamed(frame: pl.DataFrame, merged: pl.DataFrame) -> pl.DataFrame:
    return frame.join(merged, on="subject_id", how="left").with_columns(
        subject_id=pl.coalesce("into", "subject_id")).drop("into")


def _updated(known: KnownSubjects, assigned: pl.DataFrame, merged: pl.DataFrame,
             hubs: pl.DataFrame, tokens: pl.DataFrame, key_count: int) -> KnownSubjects:
    subjects = pl.concat([
        _renamed(known.subjects, merged),
        assigned.group_by("subject_id", maintain_order=True).agg(
            records=pl.len().cast(pl.UInt32), name=pl.col("name").drop_nulls().first()),
    ]).group_by("subject_id", maintain_order=True).agg(
        pl.col("records").sum(), pl.col("name").drop_nulls().first())
    profiles = pl.concat([_renamed(known.profiles, merged),
                          assigned.filter(pl.col("name_key").is_not_null()).select(
                              list(PROFILES))]).unique(maintain_order=True)
    identifiers = pl.concat([
        _renamed(known.identifiers, merged),
        _identifier_rows(assigned, "subject_id").select(list(IDENTIFIERS)),
    ]).group_by(list(IDENTIFIERS)[:-1], maintain_order=True).agg(
        pl.col("records").sum()).with_columns(
        space=pl.col("kind").replace_strict(SPACES)).join(
        hubs, on=["space", "value"], how="anti").select(list(IDENTIFIERS))
    counterparties = pl.concat([
        _renamed(known.counterparties, merged),
        assigned.filter(pl.col("name_key").is_not_null() & pl.col("counterparty").is_not_null())
        .select("subject_id", "name_key", "counterparty", "account",
                records=pl.lit(1, pl.UInt32)),
    ]).group_by(list(COUNTERPARTIES)[:-1], maintain_order=True).agg(
        pl.col("records").sum()).join(
        hubs.filter(pl.col("space") == CP_SPACE).select(counterparty="value"),
        on="counterparty", how="anti")
    return KnownSubjects(
        subjects=subjects.cast(SUBJECTS),  # type: ignore[arg-type]
        profiles=profiles.cast(PROFILES),  # type: ignore[arg-type]
        identifiers=identifiers.cast(IDENTIFIERS),  # type: ignore[arg-type]
        counterparties=counterparties.cast(COUNTERPARTIES),  # type: ignore[arg-type]
        hubs=hubs.cast(HUBS), tokens=tokens, key_count=key_count)  # type: ignore[arg-type]
