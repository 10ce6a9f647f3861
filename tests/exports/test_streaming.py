"""Large exports stream: the CSV's first blocks leave before the query is read to the end,
and a download broken off midway is still recorded in the audit trail."""

from __future__ import annotations

import csv
import hashlib
import io

from sqlalchemy import select

from aml_screen.exports.csv_writer import csv_chunks
from aml_screen.exports.filters import ExportFilter
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.rows import HIT_COLUMNS, iter_rows
from aml_screen.exports.service import stream_csv
from aml_screen.store.models import AuditEvent, User
from tests.exports.conftest import Store


def test_csv_chunks_leave_before_the_query_is_exhausted(store: Store) -> None:
    fetched: list[int] = []
    with store.database.transaction() as session:
        rows = iter_rows(session, "hits", ExportFilter(), chunk=4, on_chunk=fetched.append)
        chunks = csv_chunks(rows, HIT_COLUMNS, "en", rows_per_chunk=2)
        header = next(chunks)
        assert fetched == []  # the header goes out before any row is read
        first = next(chunks)
        assert sum(fetched) == 4 < 18
        rest = list(chunks)
    assert sum(fetched) == 18
    table = list(csv.reader(io.StringIO((header + first + "".join(rest)).lstrip("\ufeff"))))
    assert len(table) == 1 + 18
    assert len(rest) == 8


def _last_event(store: Store) -> AuditEvent:
    with store.database.transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        return event


def test_a_streamed_csv_is_recorded_with_its_digest(store: Store) -> None:
    with store.database.transaction() as session:
        salif = session.scalars(select(User.id).where(User.username == "salif")).one()
    info = ExportInfo("alerts", ExportFilter(status="escalated"), "salif", "fr")
    body = b"".join(stream_csv(store.database, info, salif, chunk=3))
    text = body.decode("utf-8-sig")
    assert len(text.splitlines()) == 1 + 5
    event = _last_event(store)
    assert (event.action, event.actor_name, event.object_id) == ("export.alerts", "salif", "csv")
    assert event.after is not None
    assert event.after["rows"] == 5
    assert event.after["filters"] == {"status": "escalated"}
    assert event.after["sha256"] == hashlib.sha256(body).hexdigest()
    assert "complete" not in event.after


def test_a_download_broken_off_is_recorded_as_incomplete(store: Store) -> None:
    info = ExportInfo("hits", ExportFilter(), "aminata", "en")
    before = _last_event(store).seq
    blocks = stream_csv(store.database, info, None, chunk=2)
    assert next(blocks).startswith("\ufeffAlert,Batch".encode())
    blocks.close()  # what the server does when the client goes away
    event = _last_event(store)
    assert event.seq == before + 1
    assert event.after is not None
    assert (event.action, event.after["complete"], event.after["sha256"]) == (
        "export.hits", False, None)
