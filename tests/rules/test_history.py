"""History-wide rule hits, pure: only patterns that need both the batch and the stored
history are kept, with the earlier transactions in the evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import polars as pl

from aml_screen.rules import load_rules
from aml_screen.rules.history import history_rule_hits, history_scoped
from aml_screen.schema import RULE_HIT_SCHEMA, TRANSACTION_SCHEMA, conform
from tests.store.samples import REPO


def _deposits(*rows: tuple[str, int, int]) -> pl.DataFrame:
    """Cash deposits (id, day of March 2026, amount in XOF) to one account."""
    return conform(pl.DataFrame(
        [{"transaction_id": tid, "booked_at": datetime(2026, 3, day, 10, tzinfo=UTC),
          "amount": Decimal(amount), "currency": "XOF", "originator_name": "Boubacar Cissé",
          "beneficiary_name": "Boubacar Cissé", "beneficiary_account": "ML04",
          "channel": "Versement espèces"} for tid, day, amount in rows],
        schema_overrides={"amount": pl.Decimal(38, 6)}), TRANSACTION_SCHEMA)


def _stored(frame: pl.DataFrame, batch_id: int) -> pl.DataFrame:
    return frame.with_columns(batch_id=pl.lit(batch_id, pl.Int64))


RULES = load_rules(REPO / "rules")


def test_only_generic_structuring_and_pass_through_look_back() -> None:
    scoped = history_scoped(RULES)
    assert scoped is not None
    assert {rule.id for rule in scoped.rules} == {"GEN-STRUCT-01", "GEN-PASSTHRU-01"}


def test_a_pattern_needing_both_sides_fires_with_its_earlier_transactions() -> None:
    earlier = _stored(_deposits(("K-1", 2, 4_900_000), ("K-2", 3, 4_800_000)), 7)
    found = history_rule_hits(RULES, _deposits(("L-1", 4, 4_700_000)), earlier,
                              pl.DataFrame(schema=RULE_HIT_SCHEMA))
    assert found.get_column("rule_id").to_list() == ["GEN-STRUCT-01"]
    assert found.item(0, "transaction_ids").to_list() == ["L-1"]
    assert json.loads(found.item(0, "evidence"))["earlier"] == [
        {"batch_id": 7, "transaction_id": "K-1"}, {"batch_id": 7, "transaction_id": "K-2"}]


def test_an_old_pattern_or_one_the_batch_shows_alone_is_not_repeated() -> None:
    old = _stored(_deposits(("K-1", 2, 4_900_000), ("K-2", 3, 4_800_000),
                            ("K-3", 3, 4_600_000)), 7)
    unrelated = _deposits(("L-9", 28, 4_700_000))  # three weeks later: outside the window
    assert history_rule_hits(RULES, unrelated, old,
                             pl.DataFrame(schema=RULE_HIT_SCHEMA)).is_empty()
    batch = _deposits(("L-1", 4, 4_700_000), ("L-2", 4, 4_650_000), ("L-3", 5, 4_750_000))
    alone = pl.DataFrame([{"rule_id": "GEN-STRUCT-01", "subject_type": "account",
                           "subject_id": "ML04"}])
    assert history_rule_hits(RULES, batch, old, alone).is_empty()
