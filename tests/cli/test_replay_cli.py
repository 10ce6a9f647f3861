"""``aml-screen replay`` from the command line: exit 0 identical, 1 with the differences
listed, 2 naming the list version that was not kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, update

from aml_screen.cli import main
from aml_screen.snapshots import list_versions_dir
from aml_screen.store import Database
from aml_screen.store.models import Batch, Hit
from tests.store.samples import REPO, repo_settings, sample_run
from tests.test_replay import screened_batch


def _replay(database: Database, data_dir: Path, batch_id: int,
            *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), *options,
                                       "replay", str(batch_id)],
                                env={"AML_SCREEN_DATABASE_URL": database.url,
                                     "AML_SCREEN_DATA_DIR": str(data_dir)})
    return result.exit_code, result.stdout, result.stderr


def test_replay_exit_codes(database: Database, tmp_path: Path) -> None:
    _, batch_id = screened_batch(database, tmp_path)
    run = sample_run().run
    code, out, err = _replay(database, tmp_path, batch_id)
    assert code == 0, out + err
    assert out.endswith(f"identical: {run.hits.height} hits, {run.rule_hits.height} rule hits "
                        f"and {run.alerts.height} alerts reproduced exactly\n")
    summary = run.summary
    assert f"threshold {summary['threshold']}, time zone {summary['timezone']}" in out

    with database.transaction() as session:
        hit = session.scalars(select(Hit).where(Hit.party_name == "Iyad Ag Ghaly")).first()
        assert hit is not None
        real = hit.score
        session.execute(update(Hit).where(Hit.id == hit.id).values(score=91.0))
        key = " / ".join((hit.transaction_id, hit.party_role, hit.list_id, hit.entry_id,
                          hit.matched_name))
    code, out, err = _replay(database, tmp_path, batch_id, "--lang", "fr")
    assert code == 1, err
    assert "1 différences avec les résultats enregistrés" in out
    assert f"  correspondance modifié(e) {key} : enregistré(e) 91.00, reproduit(e) " \
           f"{real:.2f}\n" in out

    with database.transaction() as session:
        versions = session.get_one(Batch, batch_id).list_versions or []
    for version in versions:
        shutil.rmtree(list_versions_dir(repo_settings(data_dir=tmp_path)) / version["sha256"])
    code, out, err = _replay(database, tmp_path, batch_id)
    assert (code, out) == (2, "")
    assert "list version not kept" in err
    for version in versions:
        assert f"{version['list_id']} (" in err
        assert version["sha256"] in err


def test_an_unknown_batch_is_bad_input(database: Database, tmp_path: Path) -> None:
    code, _, err = _replay(database, tmp_path, 404)
    assert code == 2
    assert "404" in err
