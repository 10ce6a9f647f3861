"""``aml-screen rescreen --delta SOURCE[@OLD..NEW]`` by hand, and the delta re-screen that
``aml-screen watchlists update`` queues when a screened source gets a new version."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.cli import watchlists as watchlists_cli
from aml_screen.jobs.queue import JobQueue
from aml_screen.settings import Settings
from aml_screen.store import open_database
from aml_screen.store.models import Alert, ListDelta
from aml_screen.watchlists.download import UpdateResult
from tests.jobs.lists import ADDED_SUBJECT, list_settings
from tests.store.list_versions import SOURCE, store_both
from tests.store.samples import REPO, load_sample


def _settings(folder: Path) -> Settings:
    return list_settings(folder, updated=False)


def _run(url: str, settings: Settings, *args: str, lang: str = "en") -> tuple[int, str, str]:
    env = {"AML_SCREEN_DATABASE_URL": url, "AML_SCREEN_DATA_DIR": str(settings.data_dir),
           "AML_SCREEN_SOURCES_FILE": str(settings.sources_file)}
    result = CliRunner().invoke(main, ["--config", str(REPO / "aml-screen.toml"),
                                       "--lang", lang, *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_delta_by_hand_then_again_by_versions(url: str, tmp_path: Path) -> None:
    database = open_database(url)
    try:
        load_sample(database)
    finally:
        database.dispose()
    settings = _settings(tmp_path / "lists")
    old, new = store_both(settings)
    code, out, err = _run(url, settings, "rescreen", "--delta", SOURCE)
    assert code == 0, err
    assert out.startswith(f"{SOURCE}: delta re-screen 1 ({old.sha256[:12]}..{new.sha256[:12]})"
                          ": 1 entries added, 0 changed, 1 removed; ")
    assert "against 2 list names: 6 new hits, 1 new alerts, 2 hits retired" in out
    code, out, err = _run(url, settings, "rescreen", "--delta",
                          f"{SOURCE}@{old.sha256[:8]}..{new.sha256[:8]}", lang="fr")
    assert code == 0, err
    assert "0 nouveaux résultats, 0 nouvelles alertes, 0 résultats retirés" in out
    database = open_database(url)
    try:
        with database.transaction() as session:
            assert session.scalars(select(Alert.subject_id).where(
                Alert.rescreen_id.is_not(None))).all() == [ADDED_SUBJECT]
    finally:
        database.dispose()


@pytest.mark.parametrize("spec", ["sample_national@", "sample_national@..x", "nowhere"])
def test_a_bad_delta_exits_2(url: str, tmp_path: Path, spec: str) -> None:
    code, _, err = _run(url, _settings(tmp_path / "lists"), "rescreen", "--delta", spec)
    assert code == 2, err
    assert err.startswith("aml-screen: error:")


def test_an_update_queues_a_delta_for_the_worker(url: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path / "lists")
    old, new = store_both(settings)
    monkeypatch.setattr(watchlists_cli, "_chosen", lambda sources, _ids: [sources[SOURCE]])
    monkeypatch.setattr(watchlists_cli, "update_source",
                        lambda source, _settings, _progress: UpdateResult(source.id, new, True))
    sent: list[int] = []
    monkeypatch.setattr(JobQueue, "enqueue_delta", lambda _queue, delta_id: sent.append(delta_id))
    code, out, err = _run(url, settings, "watchlists", "update", SOURCE)
    assert code == 0, err
    assert f"{SOURCE}: delta re-screen 1 queued" in out
    database = open_database(url)
    try:
        with database.transaction() as session:
            delta = session.get_one(ListDelta, 1)
            assert (delta.status, delta.old_sha256, delta.new_sha256) == (
                "queued", old.sha256, new.sha256)
    finally:
        database.dispose()
    assert sent == [1]
