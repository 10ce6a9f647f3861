"""``aml-screen load``: batches stored and screened into the case store as a web upload
does, from the command line, the batch id printed; ``--wait`` follows the job to its end."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from aml_screen.cli import main
from aml_screen.store import Database
from aml_screen.store.models import Alert, AuditEvent, Batch
from tests.store.samples import REPO, SAMPLE, sample_run


def _run(database: Database, data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"), *args],
                                env={"AML_SCREEN_DATABASE_URL": database.url,
                                     "AML_SCREEN_DATA_DIR": str(data_dir)})
    return result.exit_code, result.stdout, result.stderr


def test_load_and_wait_screens_the_batch_like_an_upload(database: Database,
                                                        tmp_path: Path) -> None:
    code, out, err = _run(database, tmp_path, "load", str(SAMPLE), "--label",
                          "Réquisition 2026-117", "--wait")
    assert code == 0, err
    batch_id = int(out.strip())
    assert f"batch {batch_id} (sample_batch.csv) screened" in err
    with database.transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.label) == ("done", "Réquisition 2026-117")
        assert batch.rows_loaded == sample_run().run.transactions.height
        alerts = session.scalar(select(func.count()).where(Alert.batch_id == batch_id))
        upload = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "batch.upload")).one()
    assert alerts == sample_run().run.alerts.height
    assert upload.after is not None
    assert upload.after["label"] == "Réquisition 2026-117"


def test_loading_the_same_content_again_prints_the_same_batch(database: Database,
                                                              tmp_path: Path) -> None:
    first = _run(database, tmp_path, "load", str(SAMPLE))
    again = _run(database, tmp_path, "--lang", "fr", "load", str(SAMPLE))
    assert first[0] == again[0] == 0
    assert first[1] == again[1]
    assert "ce contenu a déjà été chargé" in again[2]


def test_a_missing_file_is_one_line_and_exit_2(database: Database, tmp_path: Path) -> None:
    code, _out, err = _run(database, tmp_path, "load", str(tmp_path / "absent.csv"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
