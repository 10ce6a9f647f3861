"""Sorting rows by a key, then by time within each key (what windows and runs need)."""

from __future__ import annotations

import polars as pl


def by_key_then_time(frame: pl.DataFrame, key: str, time: str,
                     where: pl.Series | None = None) -> pl.DataFrame:
    """The rows of ``frame`` (those where ``where`` is true, if given) sorted by ``key``,
    then ``time``. The order is found by sorting the times, then stably the keys in that
    order: two single-column sorts, at ten million rows about half the cost of polars'
    multi-column sort, which encodes both columns of every row first. The rows are then
    gathered once, so that one copy is ever made (filtering then sorting makes two)."""
    at = None if where is None else where.arg_true()
    times, keys = frame.get_column(time), frame.get_column(key)
    if at is not None:
        times, keys = times.gather(at), keys.gather(at)
    by_time = times.arg_sort()
    in_order = keys.gather(by_time).to_frame()
    order = by_time.gather(in_order.select(pl.arg_sort_by(key, maintain_order=True))
                           .to_series())
    return frame[order if at is None else at.gather(order)]
