"""Name-only evidence never joins two subjects whose details disagree.

Identifiers and a name with the same birth date are strong evidence; the same name with
the same counterparty, a rare name, or the one holder of a name (``NAME_ONLY`` and
weaker) are weaker. Chained, the weak links can bridge two well-established people: an
active Oumou Mint Mahmoud (born 1973, her ID and phone) and an active Oumou Mariem
Mahmoud (born 1997, another ID), written once each as "Oumou Mahmoud" paying the same
shop, would become one subject of 1,300 records. ``conflicting`` finds, inside each
subject the links make, the parts the strong links alone make that disagree — both show
a birth date (or birth year, or ID number) and none in common — and ``kept_apart`` then
refuses the weak links that would join them, as it does for an investigator's
"different" decision. A known subject's details are those of the profiles the batch
reads (``resolve.relevant``: its name keys and birth dates), which are the ones a
name-only link goes through.
"""

from __future__ import annotations

import polars as pl

from aml_screen.subjects.components import components
from aml_screen.subjects.links import STRENGTH

NAME_ONLY = STRENGTH["same_name_same_counterparty"]
"""Links of this strength and weaker say only that a name is the same."""


def conflicting(node_count: int, edges: pl.DataFrame, labels: pl.Series,
                profiles: pl.DataFrame) -> pl.DataFrame:
    """(``a``, ``b``) pairs of nodes that must not be one subject: the first nodes of two
    parts made by the strong ``edges`` alone whose ``profiles`` (``node``,
    ``birth_date``, ``birth_year``, ``id_number``) disagree, inside one component of
    ``labels`` (all the links)."""
    strong = edges.filter(pl.col("code").replace_strict(STRENGTH) < NAME_ONLY)
    parts = pl.DataFrame({"part": components(node_count, strong), "label": labels}
                         ).with_row_index("node")
    details = pl.concat([
        profiles.filter(pl.col("birth_date").str.len_chars() == 10).select(
            "node", kind=pl.lit("date"), value="birth_date"),
        profiles.select("node", kind=pl.lit("year"), value=pl.col("birth_year").cast(pl.String)),
        profiles.select("node", kind=pl.lit("id"), value="id_number"),
    ]).drop_nulls("value").join(parts, on="node").select("label", "part", "kind", "value")
    shown = details.group_by("label").agg(parts=pl.col("part").n_unique()).filter(
        pl.col("parts") >= 2)
    details = details.join(shown, on="label", how="semi").unique()
    held = details.select("label", "part", "kind").unique()
    pairs = held.join(held, on=["label", "kind"], suffix="_b").filter(
        pl.col("part") < pl.col("part_b"))
    agreeing = details.join(details, on=["label", "kind", "value"], suffix="_b").filter(
        pl.col("part") < pl.col("part_b")).select("label", "part", "part_b", "kind").unique()
    return pairs.join(agreeing, on=["label", "part", "part_b", "kind"], how="anti").select(
        a="part", b="part_b").unique().cast(pl.UInt32)
