"""Identifier evidence: the same ID document number, phone or account — unless it is a hub.

An ID number, a phone or an account belongs to one person, except when it does not: a
mobile-money agent's or a merchant's account, a shop's phone or a placeholder document
number (``000000``) turns up under hundreds of names. An identifier is a *hub* when it
carries more than ``HUB_NAMES`` names and these are more than ``HUB_NAME_SHARE`` of its
records. Names are counted as name keys (after transliteration folding and sorting, so
that one person's spellings count once), the same name written otherwise counting once
(``spellings.distinct_names``). A person's own account shows one name or two however often
it is used, a hub a new name on most records. A hub links nothing, now or in later
batches.

Linking is by star (``links.star_edges``): every holder of a non-hub identifier is tied to
its first holder, so a phone on 40 records is 39 links.
"""

from __future__ import annotations

import polars as pl

from aml_screen.subjects.known import HUBS, SPACES
from aml_screen.subjects.links import EDGES, params_json, star_edges
from aml_screen.subjects.spellings import distinct_names

HUB_NAMES = 3
"""Distinct name keys an identifier may always carry and still be one person's (a couple
or a parent and child sharing a phone are joined: an investigator splits them)."""
HUB_NAME_SHARE = 0.25
"""Above ``HUB_NAMES``, the most distinct keys per record an identifier may carry."""


def hub_table(members: pl.DataFrame, known_hubs: pl.DataFrame) -> pl.DataFrame:
    """``HUBS`` after this batch: known hubs (their name counts grown by the batch) and
    the identifiers of ``members`` (``node``, ``kind``, ``value``, ``name_key``: the new
    records' and the known subjects', with the ``records`` each row stands for) that are
    hubs."""
    per_key = members.with_columns(space=pl.col("kind").replace_strict(SPACES)).group_by(
        "space", "value", "name_key").agg(pl.col("records").sum())
    # Only an identifier with more keys than HUB_NAMES can be a hub: the others (nearly
    # all) skip the token comparison.
    per_key = per_key.filter(pl.col("name_key").n_unique().over("space", "value") > HUB_NAMES)
    counted = distinct_names(per_key, ["space", "value"]).filter(
        (pl.col("names") > HUB_NAMES) & (pl.col("names") > HUB_NAME_SHARE * pl.col("records")))
    # A known hub's names are not kept: its count is the largest seen in one run.
    merged = pl.concat([known_hubs, counted.select(list(HUBS)).cast(HUBS)])  # type: ignore[arg-type]
    return merged.group_by("space", "value").agg(pl.col("names").max()).cast(
        HUBS)  # type: ignore[arg-type]


def identifier_edges(members: pl.DataFrame, hubs: pl.DataFrame) -> pl.DataFrame:
    """Links between the holders of each identifier that is not a hub."""
    spaced = members.with_columns(space=pl.col("kind").replace_strict(SPACES)).join(
        hubs, on=["space", "value"], how="anti")
    holders = spaced.group_by("space", "value", "node").agg(
        account_only=(pl.col("kind") == "account").all())
    linked = star_edges(holders, ["space", "value"])
    center = holders.select("space", "value", center="node", center_account="account_only")
    linked = linked.join(center, on=["space", "value", "center"])
    code = (pl.when(pl.col("space") == "document").then(pl.lit("same_id_document"))
            .when(pl.col("account_only") & pl.col("center_account")).then(pl.lit("same_account"))
            .otherwise(pl.lit("same_phone")))
    value = pl.col("value")
    return linked.with_columns(code=code).select(
        a="center", b="node", code="code",
        params=pl.when(pl.col("code") == "same_id_document").then(params_json(number=value))
        .when(pl.col("code") == "same_account").then(params_json(account=value))
        .otherwise(params_json(phone=value)),
    ).cast(EDGES)  # type: ignore[arg-type]
