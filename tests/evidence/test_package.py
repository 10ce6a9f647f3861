"""The evidence ZIP: its files and their content, determinism, and the manifest check
catching an altered, missing or extra file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from aml_screen.evidence import LinkInfo, LinkNodeInfo, build_package, verify_package
from tests.evidence.samples import ARABIC_NAME, PREPARED_AT, package_input

FILES = ["audit_trail.json", "hits.json", "listed_entries.json", "manifest.json", "notes.json",
         "rule_hits.json", "summary.pdf", "transactions.csv"]


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_package_holds_every_file_sorted_and_dated_with_the_preparation() -> None:
    content, _ = build_package(package_input())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == FILES
    # ZIP times have a two-second resolution: 10:30:05 is stored as 10:30:04.
    assert {i.date_time for i in infos} == {(2026, 3, 14, 10, 30, 4)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_manifest_lists_every_other_file_with_its_digest_and_size() -> None:
    content, listing = build_package(package_input("fr"))
    files = unzip(content)
    manifest = json.loads(files["manifest.json"])
    assert manifest == listing
    assert {k: manifest[k] for k in ("case_id", "case_version", "prepared_by", "prepared_at",
                                     "engine_version", "language")} == {
        "case_id": 7, "case_version": 3, "prepared_by": "fatou",
        "prepared_at": "2026-03-14T10:30:05+00:00", "engine_version": "0.1.0",
        "language": "fr"}
    assert [f["name"] for f in manifest["files"]] == [n for n in FILES if n != "manifest.json"]
    for item in manifest["files"]:
        assert item["sha256"] == hashlib.sha256(files[item["name"]]).hexdigest()
        assert item["size"] == len(files[item["name"]])


def test_same_input_same_bytes_and_any_change_changes_them() -> None:
    first, _ = build_package(package_input())
    assert build_package(package_input())[0] == first
    later = replace(package_input(), prepared_at=PREPARED_AT + timedelta(seconds=1))
    assert build_package(later)[0] != first
    other = package_input()
    edited = replace(other, case=replace(other.case, narrative="Autre exposé."))
    assert build_package(edited)[0] != first


def test_transactions_csv_is_utf8_with_bom_exact_amounts_and_no_formulas() -> None:
    raw = unzip(build_package(package_input())[0])["transactions.csv"]
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["amount"] for r in rows] == ["578000.0000", "1250000.5000", "950.2500"]
    assert rows[0]["originator_name"] == ARABIC_NAME
    assert rows[0]["beneficiary_name"] == "Salamata Compaoré"
    assert rows[2]["beneficiary_name"] == "'=HYPERLINK(\"http://x\")"
    assert rows[2]["purpose"] == "'-cash"
    assert rows[0]["booked_at"] == "2025-03-16T09:41:00+00:00"


def test_json_files_hold_the_evidence_as_given() -> None:
    files = unzip(build_package(package_input())[0])
    entries = json.loads(files["listed_entries.json"])
    assert entries[0]["list_version"] == "9f" * 32
    assert entries[0]["listed_on"] == "2024-05-02"
    assert entries[0]["names"][1] == {"name": "Abd al-Qadir Ben Hamouda", "kind": "alias"}
    hits = json.loads(files["hits.json"])
    assert hits[0]["explanation"]["tokens"][0]["relation"] == "transcription"
    assert json.loads(files["rule_hits.json"])[0]["evidence"]["min_score"] == 85.0
    trail = json.loads(files["audit_trail.json"])
    assert trail[0]["seq"] == 12
    assert trail[0]["hash"] == "b" * 64
    notes = json.loads(files["notes.json"])
    assert notes["case"]["subject_name"] == ARABIC_NAME
    assert notes["notes"][0]["body"].startswith("Appel de la banque")


def test_an_intact_package_verifies() -> None:
    content, _ = build_package(package_input())
    report = verify_package(content)
    assert report.ok
    assert report.files == 7
    assert report.case_id == 7
    assert report.case_version == 3
    assert report.sha256 == hashlib.sha256(content).hexdigest()


def test_verify_names_the_altered_missing_and_extra_files() -> None:
    files = unzip(build_package(package_input())[0])
    files["transactions.csv"] = files["transactions.csv"].replace(b"578000", b"078000")
    del files["notes.json"]
    files["extra.txt"] = b"planted"
    report = verify_package(rezip(files))
    assert not report.ok
    assert (report.altered, report.missing, report.extra) == (
        ["transactions.csv"], ["notes.json"], ["extra.txt"])


def test_verify_catches_bytes_changed_inside_the_zip_itself() -> None:
    content, _ = build_package(package_input())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("hits.json")
    start = info.header_offset + 30 + len(info.filename) + 5
    corrupted = content[:start] + bytes([content[start] ^ 0xFF]) + content[start + 1:]
    report = verify_package(corrupted)
    assert report.altered == ["hits.json"]
    assert not report.ok


def test_verify_reports_what_cannot_be_checked() -> None:
    assert verify_package(b"not a zip").problem == "not_zip"
    files = unzip(build_package(package_input())[0])
    del files["manifest.json"]
    assert verify_package(rezip(files)).problem == "no_manifest"
    files["manifest.json"] = b'{"files": "everything"}'
    assert verify_package(rezip(files)).problem == "bad_manifest"


def test_the_case_subjects_link_chart_is_drawn_into_the_package() -> None:
    nodes = [LinkNodeInfo("S1", "Iyad Ag Ghaly", 0, listed=True, alerted=True),
             LinkNodeInfo("S2", "Sahel Négoce SARL", 1, listed=False, alerted=False),
             LinkNodeInfo("S3", "Oumar Sow <b>", 2, listed=False, alerted=True)]
    links = [LinkInfo("S1", "S2", "XOF", Decimal("2500000"), 1),
             LinkInfo("S2", "S3", "XOF", Decimal("2400000"), 2)]
    data = replace(package_input(), link_nodes=nodes, links=links)
    content, manifest = build_package(data)
    files = unzip(content)
    assert sorted(files) == sorted([*FILES, "link_chart.svg", "links.json"])
    svg = files["link_chart.svg"].decode("utf-8")
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert "Sahel Négoce SARL" in svg
    assert "Oumar Sow &lt;b&gt;" in svg  # names are escaped
    assert svg.count("<line") == 2
    assert json.loads(files["links.json"])["links"][0]["total"] == "2500000"
    assert build_package(data)[0] == content  # same data, same bytes
    assert verify_package(content).ok
    assert "link_chart.svg" in {f["name"] for f in manifest["files"]}
