"""``aml-screen rules validate | test | backtest`` end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aml_screen.cli import main

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
CONFIG = REPO / "aml-screen.toml"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), *args])
    return result.exit_code, result.stdout, result.stderr


def _copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _edit(path: Path, rule_id: str, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for rule in data["rules"]:
        if rule["id"] == rule_id:
            rule.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_validate_the_shipped_library() -> None:
    code, stdout, _ = _run("rules", "validate", str(RULES))
    assert code == 0
    assert stdout.startswith("OK: 40 rules in 7 files")


def test_validate_reports_every_problem_and_exits_2(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    _edit(folder / "generic.yaml", "GEN-STRUCT-01", window="a week")
    _edit(folder / "generic.yaml", "GEN-CASH-01", condition="amount_xof >= param.nope")
    _edit(folder / "corruption.yaml", "COR-GOLD-01", id="GEN-CASH-01")
    _edit(folder / "drug_trafficking.yaml", "DT-SOURCE-01",
          condition="beneficiary_country in set.narco_states")
    code, _, stderr = _run("rules", "validate", str(folder))
    assert code == 2
    lines = stderr.strip().splitlines()
    assert lines[-1] == "the rule set has 4 problem(s):"
    expected = [
        ("generic.yaml", "GEN-STRUCT-01", "window", "'a week' is not a duration"),
        ("generic.yaml", "GEN-CASH-01", "condition", "unknown parameter 'param.nope'"),
        ("generic.yaml", "GEN-CASH-01", "id", "already used in"),
        ("drug_trafficking.yaml", "DT-SOURCE-01", "condition",
         "unknown country set 'set.narco_states'"),
    ]
    for file, rule, field, message in expected:
        assert any(f"{file}: rule {rule}: field {field}: " in line and message in line
                   for line in lines), (file, rule, field)
    assert "Traceback" not in stderr


def test_validate_in_french(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    _edit(folder / "generic.yaml", "GEN-STRUCT-01", severity="extreme")
    code, _, stderr = _run("--lang", "fr", "rules", "validate", str(folder))
    assert code == 2
    assert "règle GEN-STRUCT-01 : champ severity : 'extreme' n'est ni" in stderr


def test_test_runs_every_example() -> None:
    code, stdout, _ = _run("rules", "test", str(RULES))
    assert code == 0
    assert "cases of 40 rules, 0 failed" in stdout


def test_test_fails_when_an_example_no_longer_holds(tmp_path: Path) -> None:
    folder = _copy_rules(tmp_path)
    params = yaml.safe_load((folder / "parameters.yaml").read_text(encoding="utf-8"))
    params["params"]["structuring_min_count"] = 4
    (folder / "parameters.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    code, stdout, _ = _run("rules", "test", str(folder), "--rule", "GEN-STRUCT-01")
    assert code == 1
    assert "FAIL" in stdout
    assert "4 cases of 1 rules, 2 failed" in stdout


@pytest.fixture
def structuring_batch(tmp_path: Path) -> Path:
    rows = ["transaction_id,booked_at,amount,currency,beneficiary_name,beneficiary_account,"
            "channel,originator_name"]
    for account, days in (("ML-A", (3, 4)), ("ML-B", (3, 4, 5))):
        rows += [f"{account}-{d},2025-03-{d:02d}T10:00:00Z,4800000,XOF,Owner {account},"
                 f"{account},Versement espèces,Depositor {d}" for d in days]
    batch = tmp_path / "batch.csv"
    batch.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return batch


def test_backtest_counts_alerts_added_per_rule(tmp_path: Path,
                                               structuring_batch: Path) -> None:
    folder = _copy_rules(tmp_path)
    params = yaml.safe_load((folder / "parameters.yaml").read_text(encoding="utf-8"))
    params["params"]["structuring_min_count"] = 2
    (folder / "parameters.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    code, stdout, _ = _run("rules", "backtest", "--rules", str(folder), "--current",
                           str(RULES), str(structuring_batch))
    assert code == 0, stdout
    row = next(line for line in stdout.splitlines() if "GEN-STRUCT-01" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == [
        "GEN-STRUCT-01", "1", "0", "1"]
