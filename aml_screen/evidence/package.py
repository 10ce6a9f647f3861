"""Building the package ZIP. Deterministic: entries sorted by name, every entry dated with
the preparation time and given the same attributes, JSON written canonically, so the same
``PackageInput`` always gives the same bytes (and so the same SHA-256)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import polars as pl

from aml_screen.evidence.data import PackageInput
from aml_screen.evidence.link_chart import link_chart_svg
from aml_screen.evidence.summary import summary_pdf
from aml_screen.outputs import neutralise_formulas

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
TRANSACTION_COLUMNS = (
    "batch_id", "transaction_id", "booked_at", "amount", "currency", "originator_name",
    "originator_account", "originator_country", "beneficiary_name", "beneficiary_account",
    "beneficiary_country", "channel", "purpose",
)
_EARLIEST_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _plain(value: Any) -> Any:
    """JSON spelling of the values dataclasses hold: UTC ISO times, Decimal as text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(value: Any) -> bytes:
    return (json.dumps(value, default=_plain, ensure_ascii=False, sort_keys=True, indent=2)
            + "\n").encode("utf-8")


def transactions_csv(data: PackageInput) -> bytes:
    """UTF-8 with a BOM; amounts stay exact decimals; cells a spreadsheet would run as a
    formula are neutralised (names come from untrusted batches)."""
    rows = [asdict(txn) for txn in data.transactions]
    for row in rows:
        row["booked_at"] = _plain(row["booked_at"]) if row["booked_at"] else None
        row["amount"] = str(row["amount"]) if row["amount"] is not None else None
    schema = {name: pl.String for name in TRANSACTION_COLUMNS} | {"batch_id": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(
        schema=schema)
    text_columns = [c for c in TRANSACTION_COLUMNS if c not in ("batch_id", "amount")]
    safe = neutralise_formulas(frame.select(text_columns))
    frame = frame.with_columns(safe.get_columns())
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_bom=True)
    return buffer.getvalue()


def package_files(data: PackageInput) -> dict[str, bytes]:
    """Every file of the package except the manifest, by name (the link chart and its
    data when the case's subject has counterparties)."""
    chart = ({"link_chart.svg": link_chart_svg(data.link_nodes, data.links, data.language),
              "links.json": to_json({"subjects": [asdict(n) for n in data.link_nodes],
                                     "links": [asdict(k) for k in data.links]})}
             if len(data.link_nodes) > 1 else {})
    return chart | {
        "summary.pdf": summary_pdf(data),
        "transactions.csv": transactions_csv(data),
        "listed_entries.json": to_json([asdict(e) for e in data.listed_entries]),
        "hits.json": to_json([asdict(h) for h in data.hits]),
        "rule_hits.json": to_json([asdict(r) for r in data.rule_hits]),
        "audit_trail.json": to_json([asdict(e) for e in data.audit_events]),
        "notes.json": to_json({"case": asdict(data.case),
                               "notes": [asdict(n) for n in data.notes]}),
    }


def manifest(data: PackageInput, files: dict[str, bytes]) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "case_id": data.case.id,
        "case_version": data.case.version,
        "prepared_by": data.prepared_by,
        "prepared_at": _plain(data.prepared_at),
        "engine_version": data.engine_version,
        "language": data.language,
        "files": [{"name": name, "sha256": hashlib.sha256(content).hexdigest(),
                   "size": len(content)} for name, content in sorted(files.items())],
    }


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    utc = moment.astimezone(UTC)
    stamp = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    return max(stamp, _EARLIEST_ZIP_TIME)


def build_package(data: PackageInput) -> tuple[bytes, dict[str, Any]]:
    """The ZIP's bytes and its manifest (also stored as ``manifest.json`` inside)."""
    files = package_files(data)
    listing = manifest(data, files)
    files[MANIFEST] = to_json(listing)
    stamp = _zip_time(data.prepared_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue(), listing
