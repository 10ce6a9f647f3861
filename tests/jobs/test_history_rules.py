"""History-wide rules through the real screening job: structuring and a pass-through split
across two banks' batches fire on the second batch with the earlier transactions in their
evidence, and fire on neither batch alone."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.pipeline import run_screening
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.rules.sentences import rule_hit_sentences
from aml_screen.store import Database
from aml_screen.store.models import Alert, RuleHit
from aml_screen.watchlists.loader import load_watchlists
from tests.cli.test_subjects_cli import HEADER
from tests.store.samples import REPO, repo_settings

FIRST = HEADER + (
    # Two cash deposits just under the 5 M XOF threshold at the end of March...
    "K-1,2026-03-30 09:00:00,4900000,XOF,Boubacar Cissé,,ML,Boubacar Cissé,ML0400100200300401,"
    "ML,Versement espèces,dépôt\n"
    "K-2,2026-03-31 15:00:00,4800000,XOF,Boubacar Cissé,,ML,Boubacar Cissé,ML0400100200300401,"
    "ML,Versement espèces,dépôt\n"
    # ... and 3 M received by a mule account on 28 April.
    "K-3,2026-04-28 10:00:00,3000000,XOF,Hamidou Diarra,ML0500100200300501,ML,Salif Keïta,"
    "ML0600100200300601,ML,wire,avance\n")
SECOND = HEADER + (
    # A third deposit in another bank's April report: three within four days.
    "L-1,2026-04-02 11:00:00,4700000,XOF,Boubacar Cissé,,ML,Boubacar Cissé,ML0400100200300401,"
    "ML,Versement espèces,dépôt\n"
    # The mule account sends 2.9 M on the next day.
    "L-2,2026-04-29 09:30:00,2900000,XOF,Salif Keïta,ML0600100200300601,ML,Awa Traoré,"
    "BF0700100200300701,BF,wire,remboursement\n")
HISTORY_RULES = {"GEN-STRUCT-01", "GEN-PASSTHRU-01"}


def _load(database: Database, data_dir: Path, path: Path) -> int:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), "load",
                                       str(path), "--wait"],
                                env={"AML_SCREEN_DATABASE_URL": database.url,
                                     "AML_SCREEN_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.stderr
    return int(result.stdout.strip())


def _fired_alone(path: Path) -> set[str]:
    settings = repo_settings()
    lists = load_watchlists(list(settings.default_watchlists), settings)
    run = run_screening([path], lists, threshold=settings.match_threshold,
                        rules_dir=configured_rules(settings),
                        rule_parameters=parameters_override(settings))
    return set(run.rule_hits.get_column("rule_id").to_list())


def test_patterns_split_across_two_batches_fire_on_the_second(database: Database,
                                                               tmp_path: Path) -> None:
    first, second = tmp_path / "bank_k.csv", tmp_path / "bank_l.csv"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    assert not _fired_alone(first) & HISTORY_RULES
    assert not _fired_alone(second) & HISTORY_RULES

    first_id = _load(database, tmp_path / "data", first)
    second_id = _load(database, tmp_path / "data", second)
    with database.transaction() as session:
        hits = session.execute(select(RuleHit.rule_id, RuleHit.transaction_ids,
                                      RuleHit.evidence, RuleHit.subject_id)).all()
    by_rule = {rule_id: (ids, evidence, subject) for rule_id, ids, evidence, subject in hits
               if rule_id in HISTORY_RULES}
    assert set(by_rule) == HISTORY_RULES

    ids, evidence, subject = by_rule["GEN-STRUCT-01"]
    assert ids == ["L-1"]  # the new batch's transaction, the earlier ones in the evidence
    assert subject == "ML0400100200300401"
    assert sorted((e["batch_id"], e["transaction_id"]) for e in evidence["earlier"]) == [
        (first_id, "K-1"), (first_id, "K-2")]
    said = rule_hit_sentences(evidence, "fr")
    assert said[-1].startswith("Sur plusieurs lots : 2 transactions antérieures (lots "
                               f"#{first_id})")

    ids, evidence, _ = by_rule["GEN-PASSTHRU-01"]
    assert ids == ["L-2"]
    assert [e["transaction_id"] for e in evidence["earlier"]] == ["K-3"]
    with database.transaction() as session:
        alert = session.scalars(select(Alert).where(
            Alert.batch_id == second_id, Alert.subject_id == "ML0400100200300401")).one()
    assert "GEN-STRUCT-01" in alert.rule_ids
    assert alert.transaction_ids == ["L-1"]
