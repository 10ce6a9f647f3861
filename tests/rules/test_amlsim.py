"""The starter library on IBM AMLSim's labelled alert transactions (third-party simulated
data, ``../shared/data/aml_transactions/amlsim_tigergraph/alerts.csv``): loaded through a
column mapping, with a deployment parameter file for AMLSim's scale, the share of each
pattern's accounts that the shipped rules alert on is reported and held to a floor.

The file holds only the alerts' own transactions (the run's full ledger was not obtained),
so this measures what the rules find, not their false-positive rate."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from aml_screen.ingest import load_mapping, read_batch
from aml_screen.rules import evaluate_rules, load_rules

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
ALERTS = Path("aml_transactions/amlsim_tigergraph/alerts.csv")

FLOORS = {  # (pattern, rule) -> (the accounts that should alert, the least share found)
    ("fan_in", "GEN-FANIN-01"): ("receiver", 0.9),
    ("cycle", "GEN-RELAY-01"): ("member", 0.49),
    # AMLSim books a cycle's five transfers on random days of the alert's period, not in hop
    # order: only the cycles whose transfers happen to be in time order are money returning.
    ("cycle", "GEN-CYCLE-01"): ("member", 0.108),
}


@pytest.fixture(scope="module")
def alerts(shared_data: Path) -> pl.DataFrame:
    return pl.read_csv(shared_data / ALERTS)


@pytest.fixture(scope="module")
def rule_hits(alerts: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    batch = tmp_path_factory.mktemp("amlsim") / "alerts.csv"
    alerts.with_columns(
        BOOKED_AT=(pl.date(2017, 1, 1) + pl.duration(days=pl.col("TIMESTAMP")))
        .dt.strftime("%Y-%m-%d"),
        CURRENCY=pl.lit("USD"),
    ).write_csv(batch)
    ingested = read_batch(batch, load_mapping(DATA / "amlsim_mapping.yaml"))
    assert ingested.quarantine.is_empty()
    assert ingested.frame.height == alerts.height
    rule_set = load_rules(REPO / "rules", DATA / "amlsim_parameters.yaml")
    return evaluate_rules(rule_set, ingested.frame)


def pattern_accounts(alerts: pl.DataFrame, pattern: str, role: str) -> set[str]:
    rows = alerts.filter(pl.col("ALERT_TYPE") == pattern)
    columns = {"receiver": ["RECEIVER_ACCOUNT_ID"],
               "member": ["SENDER_ACCOUNT_ID", "RECEIVER_ACCOUNT_ID"]}[role]
    return {str(v) for c in columns for v in rows.get_column(c).to_list()}


@pytest.mark.shared
@pytest.mark.parametrize(("pattern", "rule_id"), sorted(FLOORS))
def test_share_of_pattern_accounts_alerted(alerts: pl.DataFrame, rule_hits: pl.DataFrame,
                                           pattern: str, rule_id: str) -> None:
    role, floor = FLOORS[pattern, rule_id]
    expected = pattern_accounts(alerts, pattern, role)
    alerted = set(rule_hits.filter(pl.col("rule_id") == rule_id)["subject_id"])
    share = len(expected & alerted) / len(expected)
    any_rule = len(expected & set(rule_hits["subject_id"])) / len(expected)
    print(f"\nAMLSim {pattern}: {len(expected)} {role} accounts, {share:.1%} alerted by "
          f"{rule_id}, {any_rule:.1%} by any rule")
    assert share >= floor


@pytest.mark.shared
def test_fan_in_senders_are_not_alerted_as_collectors(alerts: pl.DataFrame,
                                                      rule_hits: pl.DataFrame) -> None:
    senders = pattern_accounts(alerts, "fan_in", "member") - pattern_accounts(
        alerts, "fan_in", "receiver")
    fan_in = set(rule_hits.filter(pl.col("rule_id") == "GEN-FANIN-01")["subject_id"])
    assert not senders & fan_in
