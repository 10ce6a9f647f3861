"""``aml-screen watchlists update`` records each list download in the audit trail, and still
updates the lists (with a warning) when the database cannot be reached."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.store import open_database
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent
from tests.store.isolation import isolated_url
from tests.watchlists.test_download import Server, serve, write_sources

REPO = Path(__file__).resolve().parents[2]
SAMPLE_UN = REPO / "watchlists" / "samples" / "un_sahel_sample.xml"


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture
def config(tmp_path: Path, server: Server) -> Path:
    path = tmp_path / "aml-screen.toml"
    path.write_text('[aml_screen]\nsources_file = "sources.yaml"\ndata_dir = "var"\n',
                    encoding="utf-8")
    server.file("/un/consolidated.xml", SAMPLE_UN)
    write_sources(tmp_path / "sources.yaml", server,
                  {"un_sc": ("un_xml", ["/un/consolidated.xml"])})
    return path


def run(config: Path, url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args],
                              env={"AML_SCREEN_DATABASE_URL": url})


def test_each_update_is_recorded(config: Path, tmp_path: Path) -> None:
    sha = hashlib.sha256(SAMPLE_UN.read_bytes()).hexdigest()
    with isolated_url(tmp_path / "db") as url:
        first = run(config, url, "watchlists", "update")
        again = run(config, url, "watchlists", "update", "un_sc")
        assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
        assert "audit" not in first.stderr + again.stderr
        database = open_database(url)
        try:
            with database.transaction() as session:
                events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
                assert verify_chain(session).broken is None
        finally:
            database.dispose()
    assert [(e.actor_name, e.action, e.object_type, e.object_id) for e in events] == [
        ("system", "lists.downloaded", "watchlist", "un_sc")] * 2
    first_after, again_after = (e.after or {} for e in events)
    assert first_after["sha256"] == again_after["sha256"] == sha
    assert first_after["version_date"] == "2026-02-27T00:00:00Z"
    assert (first_after["changed"], again_after["changed"]) == (True, False)
    assert first_after["retrieved_at"] == again_after["retrieved_at"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_unreachable_database_does_not_stop_the_update(config: Path, tmp_path: Path,
                                                           lang: str) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    result = run(config, f"sqlite:///{blocker}/store.db", "--lang", lang,
                 "watchlists", "update")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("un_sc")
    assert len(list((tmp_path / "var" / "watchlists" / "un_sc").iterdir())) == 1
    warning = {"en": "the lists were updated, but the 1 download event(s) could not be "
                     "recorded in the audit trail",
               "fr": "les listes sont à jour, mais le ou les 1 événements de téléchargement "
                     "n'ont pas pu être inscrits dans la piste d'audit"}[lang]
    assert warning in result.stderr
    assert str(blocker) in result.stderr
