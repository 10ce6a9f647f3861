"""The one known holder of a name: records that show nothing but the name join them.

A record may carry a name and nothing else (cash paid in at a merchant's counter, a
transfer whose sender's bank filled in the name only). A common name alone says nothing
(``names``), but a name the store knows under one *established* holder only — a subject
with several records, or one that showed a birth date or an ID number — and under no one
else, is most likely that person's: had another person of that name dealt with the
reporting banks, some of their records would have shown an identifier or a birth date of
their own. The name must still be uncommon (``SOLE_NAME``): Moussa Traoré is thousands of
people, most of whom the store has not seen yet.

Only bare records join this way (one record, no identifier, no birth date; a nationality
must not contradict the holder's), and only while the holder is alone: as soon as a
second established holder shows up, the name stops linking. A bare record of a name
nobody established stays a subject of its own.
"""

from __future__ import annotations

import polars as pl

from aml_screen.subjects.links import EDGES, params_json

SOLE_NAME = 11.0
"""Least rarity (summed token weight, ``names.rarity``) of a name for its one established
holder to take its bare records: about one name in 60,000 if token frequencies were
independent, three tokens of average frequency (Ibrahim Aliou Sylla), not two common ones
(Moussa Traoré weighs about 9)."""
ESTABLISHED_RECORDS = 2
"""Records from which a subject holding a name is established even without a birth date or
an ID number (its records were joined by some evidence: an account, a phone...)."""


def sole_holder_edges(nodes: pl.DataFrame, labels: pl.Series, rarities: pl.DataFrame
                      ) -> pl.DataFrame:
    """Links from bare nodes to the one established holder of their name.

    ``nodes``: ``node``, ``name_key``, ``nationality``, ``records`` (how many records the
    node stands for) and ``shown`` (it showed an identifier or a birth date), several rows
    per known subject (one per profile); ``labels``: the component of each node with the
    other evidence; ``rarities``: ``names.rarity`` of the keys."""
    label_of = labels.to_frame("label").with_row_index("node")
    per_node = nodes.group_by("node").agg(pl.col("records").first(), pl.col("shown").any())
    component = per_node.join(label_of, on="node").group_by("label").agg(
        pl.col("shown").any(), holder_records=pl.col("records").sum()).select(
        "label", "holder_records",
        established=pl.col("shown") | (pl.col("holder_records") >= ESTABLISHED_RECORDS))
    uncommon = rarities.filter(pl.col("rarity") >= SOLE_NAME).select("name_key", "rarity")
    holders = (nodes.join(uncommon, on="name_key").join(label_of, on="node")
               .join(component, on="label"))
    sole = (holders.filter("established")
            .group_by("name_key").agg(
                labels=pl.col("label").n_unique(), center=pl.col("node").min(),
                nationalities=pl.col("nationality").drop_nulls().unique(),
                rarity=pl.col("rarity").first(), records=pl.col("holder_records").first())
            .filter(pl.col("labels") == 1).drop("labels"))
    bare = holders.filter(~pl.col("established")).select("node", "name_key", "nationality")
    joined = bare.join(sole, on="name_key").filter(
        pl.col("nationality").is_null() | (pl.col("nationalities").list.len() == 0)
        | pl.col("nationalities").list.contains(pl.col("nationality")))
    return joined.select(
        a="center", b="node", code=pl.lit("sole_holder"),
        params=params_json(rarity=pl.col("rarity").round(1), records=pl.col("records"))).cast(
        EDGES)  # type: ignore[arg-type]
