"""Links between nodes (new records and known subjects) and the evidence each stands for.

A link is data: a reason ``code`` and its parameters as JSON, put into words only at the
edge (``describe.describe_link``). Codes, strongest first: ``STRENGTH`` orders them when a
subject an investigator split must lose links (the weakest go first).
"""

from __future__ import annotations

import polars as pl

EDGES: dict[str, pl.DataType] = {
    "a": pl.UInt32(), "b": pl.UInt32(), "code": pl.String(), "params": pl.String()}
STRENGTH = {
    "investigator_merge": 0,
    "same_id_document": 1,
    "same_phone": 2,
    "same_account": 3,
    "same_name_compatible_details": 4,
    "same_name_same_counterparty": 5,
    "rare_name": 6,
    "sole_holder": 7,
}
CODES = tuple(STRENGTH)


def star_edges(members: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """Each ``node`` of ``members`` tied to the first node of its ``group`` (``center``):
    a group of n nodes is n - 1 links, not n², whatever its size. Subjects are numbered
    before records, so a group holding a known subject hangs on it."""
    return members.with_columns(center=pl.col("node").min().over(group)).filter(
        pl.col("node") != pl.col("center"))


def params_json(**fields: pl.Expr) -> pl.Expr:
    """The parameters of a link as one JSON object."""
    return pl.struct(*(expr.alias(name) for name, expr in fields.items())).struct.json_encode()
