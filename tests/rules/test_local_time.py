"""Hours and weekdays are read in the deployment's time zone: Niger and Chad are UTC+1, so
a payment booked at 21:30 UTC is made at 22:30 in Niamey, at night."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from aml_screen.errors import ConfigError
from aml_screen.rules import RuleSet, evaluate_rules, load_rules
from aml_screen.rules.derived import add_derived
from aml_screen.rules.examples import transactions_frame
from tests.rules.conftest import PARAMS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def night_rule() -> RuleSet:
    shipped = load_rules(REPO / "rules")
    return RuleSet(tuple(r for r in shipped.rules if r.id == "HT-NIGHT-FANIN-01"),
                   shipped.parameters, ())


def night_payments(clock: str) -> list[dict[str, Any]]:
    """Five people paying one wallet 15 000 XOF by mobile money at ``clock`` UTC, one a day
    (Monday 3 to Friday 7 March 2025)."""
    return [{"transaction_id": f"N{day}", "booked_at": f"2025-03-0{day}T{clock}:00Z",
             "amount": 15_000, "channel": "Orange Money", "originator_name": f"Client {day}",
             "beneficiary_account": "+22796000001", "beneficiary_name": "Mama Rose"}
            for day in range(3, 8)]


def test_hour_and_weekday_are_local() -> None:
    rows = [{"transaction_id": "T1", "amount": "1000", "booked_at": "2025-03-03T23:30:00Z"}]
    frame = transactions_frame("t", rows).lazy()
    utc = add_derived(frame, PARAMS).collect()
    niamey = add_derived(frame, PARAMS, "Africa/Niamey").collect()
    assert (utc["hour"][0], utc["weekday"][0]) == (23, 1)  # Monday 23:30
    assert (niamey["hour"][0], niamey["weekday"][0]) == (0, 2)  # Tuesday 00:30
    assert niamey["booked_at"].dtype == pl.Datetime("us", "UTC")  # booked_at stays in UTC


@pytest.mark.parametrize(("clock", "in_utc", "in_niamey"), [
    ("23:30", True, True),  # 23:30 UTC, 00:30 in Niamey: night in both
    ("21:30", False, True),  # 22:30 in Niamey: night there only
    ("04:30", True, False),  # 05:30 in Niamey: morning there
    ("15:30", False, False),
])
def test_the_night_rule_reads_the_deployment_clock(night_rule: RuleSet, clock: str,
                                                   in_utc: bool, in_niamey: bool) -> None:
    frame = transactions_frame("n", night_payments(clock))
    assert evaluate_rules(night_rule, frame).is_empty() is not in_utc
    hits = evaluate_rules(night_rule, frame, timezone="Africa/Niamey")
    assert hits.is_empty() is not in_niamey
    if in_niamey:
        assert hits["subject_id"].to_list() == ["+22796000001"]
        assert sorted(hits["transaction_ids"][0]) == [f"N{day}" for day in range(3, 8)]


def test_an_unknown_zone_is_a_configuration_error(night_rule: RuleSet) -> None:
    frame = transactions_frame("n", night_payments("23:30"))
    with pytest.raises(ConfigError) as raised:
        evaluate_rules(night_rule, frame, timezone="Africa/Niamee")
    assert raised.value.exit_code == 2
    assert "Africa/Niamee" in str(raised.value)
    assert raised.value.params["name"] == "timezone"


def test_derived_columns_keep_their_types_in_any_zone() -> None:
    rows = [{"transaction_id": "T1", "amount": "1000", "booked_at": "2025-03-03T12:00:00Z"}]
    derived = add_derived(transactions_frame("t", rows).lazy(), PARAMS, "Africa/Ndjamena")
    schema = derived.collect_schema()
    assert (schema["hour"], schema["weekday"]) == (pl.Int8, pl.Int8)
