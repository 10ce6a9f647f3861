from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from aml_screen.alerts import WEAK_ALIAS_WEIGHT, batch_key, roll_up
from aml_screen.schema import ALERT_SCHEMA, HIT_SCHEMA, RULE_HIT_SCHEMA, conform


def _hits(rows: list[tuple[str, str, str, str, float, str]]) -> pl.DataFrame:
    return conform(pl.DataFrame(
        rows, orient="row",
        schema=["transaction_id", "party_name", "party_name_normalised", "entry_id", "score",
                "name_kind"],
    ).with_columns(list_id=pl.lit("un_sc"), matched_name=pl.col("entry_id"),
                   programmes=pl.lit(["Al-Qaida"])), HIT_SCHEMA)


def _rule_hit(rule_id: str, subject: str, severity: float, txs: list[str]) -> dict[str, object]:
    return {"rule_id": rule_id, "typology": "terrorist_financing", "severity_score": severity,
            "subject_type": "party", "subject_id": subject, "subject_name": subject.title(),
            "transaction_ids": txs, "window_start": datetime(2025, 3, 1, tzinfo=UTC),
            "window_end": datetime(2025, 3, 7, tzinfo=UTC),
            "evidence": json.dumps({"count": 4, "threshold": 3})}


def test_one_alert_per_party_with_best_name_per_entry() -> None:
    hits = _hits([
        ("T1", "Iyad Ag Ghaly", "iyad ag ghaly", "QDi.316", 92.3, "primary"),
        ("T2", "IYAD AG GHALY", "iyad ag ghaly", "QDi.316", 92.3, "primary"),
        ("T2", "IYAD AG GHALY", "iyad ag ghaly", "QDi.316", 88.0, "alias"),
        ("T3", "Moussa Traoré", "moussa traore", "QDi.999", 90.0, "weak_alias"),
    ])
    alerts = roll_up(hits, pl.DataFrame(schema=RULE_HIT_SCHEMA), batch_key(["b"]))
    assert alerts.schema == pl.Schema(ALERT_SCHEMA)
    assert alerts["subject_id"].to_list() == ["iyad ag ghaly", "moussa traore"]
    first = alerts.row(0, named=True)
    assert first["risk_score"] == 92.3  # repeating a hit on more transactions adds nothing
    assert first["transaction_ids"] == ["T1", "T2"]
    assert first["hit_count"] == 1
    assert alerts.row(1, named=True)["risk_score"] == pytest.approx(90.0 * WEAK_ALIAS_WEIGHT)
    assert [r["entry_id"] for r in json.loads(first["reasons"])] == ["QDi.316"]


def test_rules_and_hits_on_one_subject_combine_as_independent_evidence() -> None:
    hits = _hits([("T1", "Iyad Ag Ghaly", "iyad ag ghaly", "QDi.316", 80.0, "primary")])
    rule_hits = pl.DataFrame([_rule_hit("TF-001", "iyad ag ghaly", 50.0, ["T1", "T9"])],
                             schema=RULE_HIT_SCHEMA)
    alert = roll_up(hits, rule_hits, batch_key(["b"])).row(0, named=True)
    assert alert["risk_score"] == pytest.approx(100 * (1 - 0.2 * 0.5))
    assert alert["rule_ids"] == ["TF-001"]
    assert alert["list_ids"] == ["un_sc"]
    assert alert["typologies"] == ["sanctions", "terrorist_financing"]
    assert alert["transaction_ids"] == ["T1", "T9"]
    kinds = [r["kind"] for r in json.loads(alert["reasons"])]
    assert kinds == ["watchlist", "rule"]  # strongest reason first


def test_alert_ids_depend_on_batches_and_subject_only() -> None:
    hits = _hits([("T1", "A B", "a b", "X", 90.0, "primary")])
    empty = pl.DataFrame(schema=RULE_HIT_SCHEMA)
    same = roll_up(hits, empty, batch_key(["h1", "h2"]))["alert_id"]
    assert same.to_list() == roll_up(hits, empty, batch_key(["h2", "h1"]))["alert_id"].to_list()
    assert same.to_list() != roll_up(hits, empty, batch_key(["h3"]))["alert_id"].to_list()


def test_nothing_to_roll_up() -> None:
    assert roll_up(pl.DataFrame(), pl.DataFrame(), "k").is_empty()


def test_alerts_do_not_depend_on_the_order_of_their_inputs() -> None:
    # One account written under two names by rules of equal severity, in equal windows: the
    # alert's name, reasons and score must not depend on which rule hit comes first (Spark
    # gathers rule hits in another order than the embedded engine).
    first = {**_rule_hit("TF-STRUCT-01", "ml-0042", 60.0, ["t1", "t2"]),
             "subject_type": "account", "subject_name": "Moussa Traore"}
    second = {**_rule_hit("DT-VELOCITY-01", "ml-0042", 60.0, ["t3"]),
              "subject_type": "account", "subject_name": "MOUSSA TRAORÉ"}
    third = {**first, "rule_id": "TF-CASH-01", "evidence": json.dumps({"count": 5})}
    rows = [first, second, third]
    alerts = [roll_up(_hits([]), conform(pl.DataFrame(order), RULE_HIT_SCHEMA), "k")
              for order in (rows, rows[::-1], [rows[1], rows[0], rows[2]])]
    assert alerts[0]["subject_name"].to_list() == ["MOUSSA TRAORÉ"]
    assert all(a.equals(alerts[0]) for a in alerts[1:])
