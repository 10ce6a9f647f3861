"""``engine.combine``: the rule hits of every step as one frame in one total order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
from polars.testing import assert_frame_equal

from aml_screen.rules.engine import combine
from aml_screen.schema import RULE_HIT_SCHEMA


def _hits() -> pl.DataFrame:
    """One cash-out account firing in three weeks, and two other subjects."""
    start = datetime(2025, 3, 2, tzinfo=UTC)
    rows = [
        {"rule_id": "COR-CASHOUT-01", "typology": "corruption", "severity_score": 70.0,
         "subject_type": "account", "subject_id": account, "subject_name": name,
         "transaction_ids": [f"TRX{week}{account[-2:]}"],
         "window_start": start + timedelta(days=7 * week),
         "window_end": start + timedelta(days=7 * week + 7),
         "evidence": json.dumps({"values": {"withdrawals": 50 + week}})}
        for account, name, weeks in (("ML12-0001", "Moussa Traoré", (2, 0, 1)),
                                     ("NE55-0002", "Oumarou Issoufou", (0,)),
                                     ("TD09-0003", "Mahamat Saleh", (1,)))
        for week in weeks
    ]
    return pl.DataFrame(rows, schema=RULE_HIT_SCHEMA)


def test_one_subjects_hits_in_several_windows_come_out_in_one_order() -> None:
    hits = _hits()
    expected = combine([hits])
    assert expected.filter(pl.col("subject_id") == "ML12-0001")["window_start"].is_sorted()
    for seed in range(10):
        shuffled = hits.sample(fraction=1.0, shuffle=True, seed=seed)
        assert_frame_equal(combine([shuffled.head(2), shuffled.tail(3)]), expected)
