"""``aml-screen screen`` and ``aml-screen match`` end to end on the bundled samples."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from aml_screen.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE_BATCH = REPO / "aml_screen" / "samples" / "sample_batch.csv"
CONFIG = REPO / "aml-screen.toml"
EXPECTED_HITS = {  # (party name in the batch, list, entry) planted in the sample batch
    ("Iyad Ag Ghaly", "sample_un", "QDi.316"),
    ("BELMOKHTAR Mokhtar", "sample_un", "QDi.136"),
    ("Amadou Kouffa", "sample_un", "QDi.425"),
    ("Ets Ansar Dine", "sample_un", "QDe.135"),
    ("Hamadoun Ould Baba Cheikh", "sample_national", "ML-GEL-2024-001"),
    ("Comptoir de Change Al Wafa Sahel", "sample_national", "ML-GEL-2024-005"),
    ("Boubacar Hama Djibrila", "sample_national", "ML-GEL-2024-006"),
    ("Abdelkader Ben Hamouda", "sample_national", "ML-GEL-2024-010"),
}


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    code, stdout, stderr = _run("screen", str(SAMPLE_BATCH), "--out", str(out), "--no-progress")
    assert code == 0, stderr
    assert "Screening summary" in stdout
    return out


def test_sample_batch_hits_every_planted_name_and_nothing_else(demo_out: Path) -> None:
    hits = pl.read_parquet(demo_out / "hits.parquet")
    found = set(hits.select("party_name", "list_id", "entry_id").unique().iter_rows())
    assert found == EXPECTED_HITS
    assert hits["score"].min() >= 85
    assert all(json.loads(e)["tokens"] for e in hits["explanation"])


def test_summary_counts_add_up(demo_out: Path) -> None:
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows_read"] == 60
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"]
    assert summary["rows_quarantined"] == 6
    assert summary["hits"] == pl.read_parquet(demo_out / "hits.parquet").height
    assert {v["list_id"] for v in summary["list_versions"]} == {"sample_un", "sample_national"}
    assert all(len(v["sha256"]) == 64 for v in summary["list_versions"])


def test_quarantine_lists_each_bad_row_with_its_reason(demo_out: Path) -> None:
    quarantine = pl.read_csv(demo_out / "quarantine.csv")
    assert sorted(quarantine["reason_code"]) == sorted(
        ["missing_id", "bad_amount", "negative_amount", "bad_date", "unknown_currency",
         "bad_scale"])
    assert quarantine["line_number"].min() >= 2


def test_csv_format_and_french_messages(tmp_path: Path) -> None:
    code, stdout, _ = _run("--lang", "fr", "screen", str(SAMPLE_BATCH), "--out",
                           str(tmp_path), "--format", "csv", "--no-progress")
    assert code == 0
    assert "Résumé du filtrage" in stdout
    hits = pl.read_csv(tmp_path / "hits.csv")
    assert {"transaction_id", "party_role", "party_name", "list_id", "entry_id",
            "matched_name", "entity_type", "score"} <= set(hits.columns)
    assert not (tmp_path / "hits.parquet").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "not a batch of a known format"),
    ],
)
def test_unusable_batch_exits_2_with_one_line(tmp_path: Path, content: bytes,
                                              fragment: str) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_bytes(content)
    code, _, stderr = _run("screen", str(batch), "--out", str(tmp_path / "out"), "--no-progress")
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert fragment in stderr.lower()
    assert "Traceback" not in stderr


def test_missing_batch_and_unknown_list_exit_2(tmp_path: Path) -> None:
    code, _, stderr = _run("screen", str(tmp_path / "nope.csv"), "--out", str(tmp_path))
    assert code == 2
    code, _, stderr = _run("screen", str(SAMPLE_BATCH), "--watchlist", "no_such_list",
                           "--out", str(tmp_path), "--no-progress")
    assert code == 2
    assert "no_such_list" in stderr


def test_match_json_gives_best_candidates() -> None:
    code, stdout, _ = _run("match", "Mokhtar Bel Mokhtar", "--json")
    assert code == 0
    rows = json.loads(stdout)
    assert rows[0]["entry_id"] == "QDi.136"
    assert rows[0]["list_id"] == "sample_un"
    assert 0 < rows[0]["score"] <= 100
    assert {"list_id", "entry_id", "matched_name", "score"} <= set(rows[0])
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_alerts_roll_up_hits_per_party(demo_out: Path) -> None:
    alerts = pl.read_parquet(demo_out / "alerts.parquet")
    hits = pl.read_parquet(demo_out / "hits.parquet")
    assert {"alert_id", "subject_type", "subject_id", "risk_score", "rule_ids",
            "transaction_ids", "typologies"} <= set(alerts.columns)
    assert alerts.height == hits["party_name_normalised"].n_unique() == 8
    assert alerts["alert_id"].n_unique() == alerts.height
    assert alerts["risk_score"].to_list() == sorted(alerts["risk_score"], reverse=True)
    assert set(alerts["transaction_ids"].explode()) == set(hits["transaction_id"])


def test_rerun_gives_the_same_alert_ids(demo_out: Path, tmp_path: Path) -> None:
    code, _, _ = _run("screen", str(SAMPLE_BATCH), "--out", str(tmp_path), "--no-progress")
    assert code == 0
    first = pl.read_parquet(demo_out / "alerts.parquet").sort("alert_id")
    again = pl.read_parquet(tmp_path / "alerts.parquet").sort("alert_id")
    assert first["alert_id"].to_list() == again["alert_id"].to_list()


def test_rules_run_by_default_and_list_rules_join_the_party_alerts(demo_out: Path) -> None:
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rules_evaluated"] == 40
    rule_hits = pl.read_parquet(demo_out / "rule_hits.parquet")
    alerts = pl.read_parquet(demo_out / "alerts.parquet")
    assert summary["rule_hits"] == rule_hits.height > 0
    assert set(rule_hits["subject_id"]) <= set(alerts["subject_id"])
    with_rules = alerts.filter(pl.col("rule_ids").list.len() > 0)
    assert with_rules.height > 0
    assert all("terrorist_financing" in t for t in with_rules["typologies"])


def _structuring_batch(tmp_path: Path) -> Path:
    rows = ["transaction_id,booked_at,amount,currency,originator_name,beneficiary_name,"
            "beneficiary_account,channel"]
    rows += [f"S-{d},2025-03-{d:02d}T10:00:00Z,4800000,XOF,Depositor {d},Ets Kanté,ML-77,"
             f"Versement espèces" for d in (3, 4, 6)]
    rows += ["W-1,2025-03-05T10:00:00Z,150000,XOF,Awa Diallo,Oumar Sy,ML-78,Virement"]
    batch = tmp_path / "structuring.csv"
    batch.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return batch


def test_rule_alerts_name_the_account_in_alerts_parquet(tmp_path: Path) -> None:
    batch = _structuring_batch(tmp_path)
    code, stdout, stderr = _run("screen", str(batch), "--rules", str(REPO / "rules"), "--out",
                                str(tmp_path / "out"), "--no-progress")
    assert code == 0, stderr
    assert "Highest-risk alerts" in stdout
    alerts = pl.read_parquet(tmp_path / "out" / "alerts.parquet")
    [alert] = alerts.to_dicts()
    assert (alert["subject_type"], alert["subject_id"], alert["subject_name"]) == (
        "account", "ML-77", "Ets Kanté")
    assert alert["rule_ids"] == ["GEN-STRUCT-01"]
    assert alert["transaction_ids"] == ["S-3", "S-4", "S-6"]
    assert alert["typologies"] == ["generic"]
    assert alert["risk_score"] == 75.0
    reasons = json.loads(alert["reasons"])
    assert reasons[0]["evidence"][0]["values"]["deposits"] == 3


def test_no_rules_screens_names_only(tmp_path: Path) -> None:
    code, _, _ = _run("screen", str(_structuring_batch(tmp_path)), "--no-rules", "--out",
                      str(tmp_path / "out"), "--no-progress")
    assert code == 0
    assert pl.read_parquet(tmp_path / "out" / "alerts.parquet").is_empty()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["rules_evaluated"] == 0


def test_an_invalid_rule_set_stops_the_screening_with_exit_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "parameters.yaml").write_text("params: {x: 1}\n", encoding="utf-8")
    (rules / "broken.yaml").write_text(
        "typology: generic\nrules:\n  - id: B-1\n    kind: transaction\n"
        "    condition: amount > param.y\n", encoding="utf-8")
    code, _, stderr = _run("screen", str(SAMPLE_BATCH), "--rules", str(rules), "--out",
                           str(tmp_path / "out"), "--no-progress")
    assert code == 2
    assert "broken.yaml: rule B-1: field condition: unknown parameter 'param.y'" in stderr
    assert "broken.yaml: rule B-1: field title:" in stderr
    assert not (tmp_path / "out" / "alerts.parquet").exists()


@pytest.mark.parametrize(("command", "option"), [("screen", "--threshold"),
                                                  ("match", "--min-score")])
@pytest.mark.parametrize("value", ["0", "150"])
def test_scores_outside_1_to_100_exit_2(tmp_path: Path, command: str, option: str,
                                         value: str) -> None:
    target = ([str(SAMPLE_BATCH), "--out", str(tmp_path)] if command == "screen"
              else ["Iyad Ag Ghaly"])
    code, _, stderr = _run(command, *target, option, value)
    assert code == 2
    assert "between 1 and 100" in stderr
