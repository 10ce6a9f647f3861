"""Network rules over the transfer graph: accounts are nodes, each transaction kept by the
rule's ``filter`` with both accounts (different ones) and an XOF amount is an edge. Cycles
(``eval_cycle``) and funnel accounts (``eval_funnel``) share the edges and the names."""


from __future__ import annotations

import polars as pl

from aml_screen.rules.derived import code_name
from aml_screen.rules.model import Rule


def edges_of(frame: pl.LazyFrame, rule: Rule) -> pl.LazyFrame:
    """The rule's transfer edges: ``src, dst, id, at, xof``, the batch's ``_row`` and the
    accounts' integer codes ``src_code, dst_code`` (an account's code is its party's,
    ``derived.code_expr``)."""
    return frame.filter(rule.condition.fill_null(value=False)).select(
        "_row",
        pl.col("originator_account").alias("src"), pl.col("beneficiary_account").alias("dst"),
        pl.col(code_name("originator_id")).alias("src_code"),
        pl.col(code_name("beneficiary_id")).alias("dst_code"),
        pl.col("transaction_id").alias("id"), pl.col("booked_at").alias("at"),
        pl.col("amount_xof").alias("xof"),
    ).filter(pl.col("src").is_not_null() & pl.col("dst").is_not_null()
             & (pl.col("src") != pl.col("dst")) & pl.col("xof").is_not_null())


def account_names(frame: pl.LazyFrame, accounts: pl.Series) -> pl.DataFrame:
    """``_subject`` (an account of ``accounts``) -> ``_subject_name``, its most written name."""
    wanted = accounts.unique().implode()
    sides = [frame.select(pl.col(f"{side}_account").alias("_subject"),
                          pl.col(f"{side}_name").alias("_subject_name"))
             for side in ("originator", "beneficiary")]
    return (pl.concat(sides).filter(pl.col("_subject").is_in(wanted))
            .group_by("_subject")
            .agg(pl.col("_subject_name").drop_nulls().mode().sort().first())
            .collect())



def without_busy_accounts(edges: pl.LazyFrame, max_transfers: int | None) -> pl.LazyFrame:
    """``edges`` without those of accounts with more than ``max_transfers`` edges."""
    if max_transfers is None:
        return edges
    busy = (pl.concat([edges.select(account="src_code"), edges.select(account="dst_code")])
            .group_by("account").len().filter(pl.col("len") > max_transfers)
            .select("account").collect().to_series().implode())
    return edges.filter(~pl.col("src_code").is_in(busy) & ~pl.col("dst_code").is_in(busy))
