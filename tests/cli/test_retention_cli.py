"""``aml-screen retention purge`` from the command line: the dry run reports and changes
nothing, ``--apply`` purges, deletes the uploaded file and leaves a verifiable trail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from aml_screen.cli import main
from aml_screen.jobs.screening import stored_path
from aml_screen.store import Database
from tests.store.samples import REPO, SAMPLE, repo_settings, sample_run
from tests.store.test_retention import age, build_cases, everything, names_left, party_names


def _run(database: Database, data_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), *args],
                                env={"AML_SCREEN_DATABASE_URL": database.url,
                                     "AML_SCREEN_DATA_DIR": str(data_dir)})
    return result.exit_code, result.output


def _upload(data_dir: Path) -> Path:
    path = stored_path(repo_settings(data_dir=data_dir), sample_run().sha256, SAMPLE.name)
    path.parent.mkdir(parents=True)
    path.write_bytes(SAMPLE.read_bytes())
    return path


def test_dry_run_then_apply(database: Database, tmp_path: Path) -> None:
    build_cases(database)
    age(database, timedelta(days=6 * 366))
    upload = _upload(tmp_path)
    snapshot = everything(database)
    code, out = _run(database, tmp_path, "--lang", "fr", "retention", "purge", "--dry-run")
    assert code == 0, out
    assert "durée de conservation 5 ans" in out
    assert "  dossiers : 1 (clôturés du " in out
    assert f"  transactions supprimées : {sample_run().run.transactions.height}\n" in out
    assert everything(database) == snapshot
    assert upload.is_file()

    code, out = _run(database, tmp_path, "retention", "purge", "--apply")
    assert code == 0, out
    assert f"  alerts: {sample_run().run.alerts.height} (closed from " in out
    assert "1 uploaded files deleted" in out
    assert not upload.exists()
    assert names_left(database, party_names()) == []
    code, out = _run(database, tmp_path, "audit", "verify")
    assert code == 0, out
    code, out = _run(database, tmp_path, "retention", "purge", "--apply")
    assert (code, out.splitlines()[-1]) == (0, "nothing to purge")


@pytest.mark.parametrize("options", [[], ["--dry-run", "--apply"]])
def test_exactly_one_mode_is_required(database: Database, tmp_path: Path,
                                      options: list[str]) -> None:
    code, out = _run(database, tmp_path, "retention", "purge", *options)
    assert code == 2
    assert "--dry-run" in out
