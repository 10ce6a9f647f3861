"""Counterparty evidence: the same name dealing with the same account.

A record may carry nothing but a common name ("Moussa Traoré" depositing cash), yet pay
the account his other records pay (his mother's, his supplier's): the same name key with
the same counterparty account is one person, unless that account deals with many names.
A counterparty seen with more than ``COUNTERPARTY_NAMES`` distinct names (a shop, a
school, a utility, a trader: among their customers are namesakes; one person's typing
errors and dropped middle names count once, ``spellings.distinct_names``) is *busy*: it links
nothing, now or later, and is kept with the hubs (space ``counterparty``). And two
namesakes may each pay one quiet account once: records of one name and counterparty that
come from two own accounts are two people (a record without an own account, or with a
hub's, takes the group's account when it has exactly one, as names do with birth dates).
"""

from __future__ import annotations

import polars as pl

from aml_screen.subjects.known import HUBS
from aml_screen.subjects.links import EDGES, params_json, star_edges
from aml_screen.subjects.spellings import distinct_names

COUNTERPARTY_NAMES = 5
"""Most distinct name keys a counterparty account may deal with and still say who a
name is: a family's accounts, a person's own other account."""
SPACE = "counterparty"


def busy(members: pl.DataFrame, hubs: pl.DataFrame) -> pl.DataFrame:
    """``hubs`` with the counterparties of ``members`` (``node``, ``name_key``,
    ``counterparty``, ``records``) that deal with more than ``COUNTERPARTY_NAMES`` names
    added."""
    per_key = members.group_by("counterparty", "name_key").agg(pl.col("records").sum()).filter(
        pl.col("name_key").n_unique().over("counterparty") > COUNTERPARTY_NAMES)
    counted = distinct_names(per_key, ["counterparty"]).filter(
        pl.col("names") > COUNTERPARTY_NAMES).select(
        space=pl.lit(SPACE), value="counterparty", names="names")
    return pl.concat([hubs, counted.cast(HUBS)]).group_by(  # type: ignore[arg-type]
        "space", "value", maintain_order=True).agg(pl.col("names").max()).cast(
        HUBS)  # type: ignore[arg-type]


def contact_hubs(hubs: pl.DataFrame) -> pl.Series:
    """The hub accounts and phones (a merchant's, an agent's) as one list, for ``is_in``:
    a record written with one shows no own account."""
    return hubs.filter(pl.col("space") == "contact").get_column("value").implode()


def counterparty_edges(members: pl.DataFrame, hubs: pl.DataFrame) -> pl.DataFrame:
    """Links between the nodes of one name key and own account dealing with one
    counterparty that is not busy; ``members`` have ``node``, ``name_key``,
    ``counterparty`` and ``account`` (the record's own)."""
    quiet = members.join(hubs.filter(pl.col("space") == SPACE).select(counterparty="value"),
                         on="counterparty", how="anti")
    own = pl.when(~pl.col("account").is_in(contact_hubs(hubs))).then("account")
    group = ["name_key", "counterparty"]
    quiet = quiet.with_columns(account=own).with_columns(
        account=pl.when(pl.col("account").is_null()
                        & (pl.col("account").drop_nulls().n_unique().over(group) == 1))
        .then(pl.col("account").min().over(group)).otherwise("account"))
    linked = star_edges(quiet.select("node", *group, "account").unique(), [*group, "account"])
    return linked.select(a="center", b="node", code=pl.lit("same_name_same_counterparty"),
                         params=params_json(counterparty=pl.col("counterparty"))).cast(
        EDGES)  # type: ignore[arg-type]
