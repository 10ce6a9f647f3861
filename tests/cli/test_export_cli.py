"""``aml-screen export`` at the server: the file written, the filters applied, the export
recorded as the system's or as ``--as`` user's, bad input refused with exit code 2."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.store import Database, open_database
from aml_screen.store.models import AuditEvent
from tests.exports.conftest import ARABIC, HOSTILE, LIST_SHA, RULE_DIGEST, add_hostile_batch
from tests.store.isolation import isolated_url
from tests.store.samples import add_user, load_sample

CONFIG = Path(__file__).resolve().parents[2] / "aml-screen.toml"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with isolated_url(tmp_path_factory.mktemp("export-cli")) as found:
        database = open_database(found)
        try:
            add_user(database, "salif", "supervisor")
            add_user(database, "aminata", "auditor")
            load_sample(database)
            add_hostile_batch(database)
        finally:
            database.dispose()
        yield found


def _run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), *args],
                                env={"AML_SCREEN_DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


def _last_event(url: str) -> AuditEvent:
    database: Database = open_database(url)
    try:
        with database.transaction() as session:
            event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
            assert event is not None
            return event
    finally:
        database.dispose()


def test_hits_as_csv_filtered_and_recorded_as_the_system(url: str, tmp_path: Path) -> None:
    out = tmp_path / "hits.csv"
    code, stdout, stderr = _run(url, "export", "hits", "--out", str(out), "--list",
                                "national_ml", "--status", "escalated", "--no-progress")
    assert code == 0, stderr
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert stdout == (f"5 rows written to {out} (SHA-256 {digest}); the export is recorded "
                      "in the audit trail\n")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [row["Party name"] for row in table] == ["'" + name for name in HOSTILE.values()]
    assert {row["List version (SHA-256)"] for row in table} == {LIST_SHA}
    event = _last_event(url)
    assert (event.action, event.actor_name, event.actor_id) == ("export.hits", "system", None)
    assert event.after is not None
    assert event.after["filters"] == {"list_id": "national_ml", "status": "escalated"}
    assert event.after["sha256"] == digest


def test_alerts_as_xlsx_in_french_attributed_to_a_user(url: str, tmp_path: Path) -> None:
    out = tmp_path / "alertes.xlsx"
    code, stdout, stderr = _run(url, "--lang", "fr", "export", "alerts", "--format", "xlsx",
                                "--out", str(out), "--from", "2026-10-05", "--to",
                                "2026-10-05", "--as", "aminata")
    assert code == 0, stderr
    assert stdout.startswith("6 lignes écrites dans ")
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("Alerte", "Type de sujet", "Clé du sujet", "Sujet")
    assert ARABIC in [row[3] for row in rows[1:]]
    assert {row[18] for row in rows[1:]} == {RULE_DIGEST}
    event = _last_event(url)
    assert (event.action, event.actor_name, event.object_id) == ("export.alerts", "aminata",
                                                                 "xlsx")


def test_pdf_of_one_batch(url: str, tmp_path: Path) -> None:
    out = tmp_path / "hits.pdf"
    code, _, stderr = _run(url, "export", "hits", "--format", "pdf", "--out", str(out),
                           "--batch", "1", "--typology", "terrorist_financing",
                           "--rule", "TF-LIST-02")
    assert code == 0, stderr
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Rows: 10" in text
    assert "TX-OCT-" not in text
    assert "Iyad Ag Ghaly" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "23/11/2026"], "--from '23/11/2026': expected a date written YYYY-MM-DD"),
    (["--from", "2026-11-02", "--to", "2026-11-01"], "the date range ends (Nov 1, 2026)"),
    (["--status", "open"], "--status 'open': expected one of new, in_review"),
    (["--batch", "x1"], "--batch 'x1': expected a batch number"),
    (["--as", "nobody"], "no user named 'nobody'"),
    (["--out", "/nonexistent-folder/hits.csv"], "--out: the folder /nonexistent-folder does"),
])
def test_bad_input_exits_2_with_one_line(url: str, tmp_path: Path, args: list[str],
                                         message: str) -> None:
    out = tmp_path / "never.csv"
    code, stdout, stderr = _run(url, "export", "hits", "--out", str(out), *args)
    assert code == 2
    assert stdout == ""
    assert stderr.startswith("aml-screen: error: ")
    assert message in stderr
    assert len(stderr.splitlines()) == 1
    assert not out.exists()
