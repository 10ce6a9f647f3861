"""``aml-screen retention purge`` from the command line: the dry run reports and changes
nothing, ``--apply`` purges, deletes the uploaded file and leaves a verifiable trail."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.jobs.screening import stored_path
from aml_screen.store import Database
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.models import Batch, Exemption, Hit, User
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


PLANTED = "Zeinabou Mint Planted"


def _plant(database: Database) -> None:
    """The planted name in every other place a purge must reach: an exemption long expired
    (and its audit event), the job error of a batch that failed years ago, the file name a
    run summary kept and the batch's label."""
    long_ago = utcnow() - timedelta(days=6 * 366)
    with database.transaction() as session:
        hawa = session.scalars(select(User).where(User.username == "hawa")).one()
        hit = session.scalars(select(Hit).order_by(Hit.id)).first()
        assert hit is not None
        exemption = Exemption(
            list_id=hit.list_id, entry_id=hit.entry_id, entry_digest="e" * 64,
            party_key="p" * 64, party_name=PLANTED, party_details={"birth_date": "1981"},
            reason=f"{PLANTED} est une homonyme", status="active",
            expires_on=long_ago.date(), source_alert_id=hit.alert_id, proposed_by_id=hawa.id)
        session.add(exemption)
        session.flush()
        record(session, hawa, "exemption.propose", "exemption", exemption.id,
               after={"party_name": PLANTED})
        failed = Batch(file_name=f"releve_{PLANTED}.csv", sha256="f" * 64, size_bytes=10,
                       status="failed", error_key="ingest.bad_row",
                       error_params={"detail": f"ligne 12 : {PLANTED}"}, finished_at=long_ago)
        session.add(failed)
        batch = session.scalars(select(Batch).where(Batch.status == "done")).one()
        batch.label = f"Réquisition du parquet : {PLANTED}"
        batch.summary = {**(batch.summary or {}),
                         "batches": [{"file": f"/home/cenfi/releve_{PLANTED}.csv"}]}


def _files_holding(folder: Path, text: str) -> list[Path]:
    needle = text.lower().encode("utf-8")
    return [path for path in folder.rglob("*")
            if path.is_file() and needle in path.read_bytes().lower()]


def test_a_planted_name_is_nowhere_in_the_store_or_the_data_folder_after_a_purge(
        database: Database, tmp_path: Path) -> None:
    build_cases(database)
    _plant(database)
    age(database, timedelta(days=6 * 366))
    _upload(tmp_path)
    assert names_left(database, {PLANTED})
    code, out = _run(database, tmp_path, "retention", "purge", "--apply")
    assert code == 0, out
    assert "  expired exemptions emptied: 1" in out
    assert names_left(database, {PLANTED} | party_names()) == []
    assert _files_holding(tmp_path, PLANTED) == []
    code, out = _run(database, tmp_path, "audit", "verify")
    assert code == 0, out
