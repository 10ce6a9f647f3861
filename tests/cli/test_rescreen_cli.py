"""``aml-screen rescreen`` after a list update: one batch by id, or every batch uploaded
since a date; a second run finds nothing new; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.store import open_database
from aml_screen.store.models import Alert, AuditEvent
from tests.jobs.lists import ADDED_SUBJECT, keep_sample_upload, list_settings
from tests.store.samples import REPO, load_sample


def _run(url: str, folder: Path, *args: str, lang: str = "en") -> tuple[int, str, str]:
    settings = list_settings(folder, updated=True)
    keep_sample_upload(settings)
    env = {"AML_SCREEN_DATABASE_URL": url, "AML_SCREEN_DATA_DIR": str(settings.data_dir),
           "AML_SCREEN_SOURCES_FILE": str(settings.sources_file)}
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"),
                                       "--lang", lang, "rescreen", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _loaded(url: str) -> int:
    database = open_database(url)
    try:
        return load_sample(database)
    finally:
        database.dispose()


def test_rescreen_one_batch_then_again(url: str, tmp_path: Path) -> None:
    batch_id = _loaded(url)
    code, out, err = _run(url, tmp_path / "lists", str(batch_id))
    assert code == 0, err
    assert out == f"batch {batch_id}: re-screen 1 done, 6 new hits, 1 new alerts\n"
    code, out, _ = _run(url, tmp_path / "lists", str(batch_id), lang="fr")
    assert code == 0
    assert out == (f"lot {batch_id} : nouveau filtrage 2 terminé, 0 nouveaux résultats, "
                   "0 nouvelles alertes\n")
    database = open_database(url)
    try:
        with database.transaction() as session:
            added = session.scalars(select(Alert.subject_id).where(
                Alert.rescreen_id.is_not(None))).all()
            assert added == [ADDED_SUBJECT]
            actions = session.scalars(select(AuditEvent.action).where(
                AuditEvent.action.like("batch.rescreen%"))).all()
            assert actions == ["batch.rescreen_requested", "batch.rescreened"] * 2
    finally:
        database.dispose()


def test_rescreen_all_since_a_date(url: str, tmp_path: Path) -> None:
    batch_id = _loaded(url)
    code, out, _ = _run(url, tmp_path / "lists", "--all-since", "2000-01-01")
    assert (code, out) == (0, f"batch {batch_id}: re-screen 1 done, 6 new hits, "
                              "1 new alerts\n")
    code, out, _ = _run(url, tmp_path / "lists", "--all-since", "2999-01-01")
    assert (code, out) == (0, "no batch uploaded since 2999-01-01 to re-screen\n")


def test_bad_input_exits_2(url: str, tmp_path: Path) -> None:
    _loaded(url)
    for args in ((), ("1", "--all-since", "2020-01-01"), ("--all-since", "hier")):
        code, _, err = _run(url, tmp_path / "lists", *args)
        assert code == 2, args
        assert err.startswith("aml-screen: error:")
    code, _, err = _run(url, tmp_path / "lists", "999")
    assert code == 2
    assert "999" in err
