"""The batch format table: detection from content, suffixes, the override."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import read_batch
from aml_screen.ingest.formats import ACCEPTED_SUFFIXES, FORMATS, detect_format
from aml_screen.ingest.iso20022 import sniff_iso20022 as is_iso20022
from aml_screen.ingest.sniff import xml_root
from aml_screen.ingest.swift_mt import sniff_swift_mt as is_swift

CSV = ("transaction_id,booked_at,amount,currency,originator_name,beneficiary_name\n"
       "T1,2026-03-02 10:00,1500,XOF,Awa Traoré,Moussa Diallo\n")
PACS008 = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
           b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">'
           b"<FIToFICstmrCdtTrf/></Document>")
ENVELOPED = (b'<?xml version="1.0"?><BizMsgEnvlp xmlns="urn:example:envelope">'
             b'<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"/></BizMsgEnvlp>')


@pytest.mark.parametrize(("head", "expected"), [
    (b"PAR1\x15\x04", "parquet"),
    (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", "xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xlsx"),
    (b"PK\x03\x04\x14\x00\x00\x00releve.csv", "zip"),
    (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- made by hand -->\n<report>", "goaml"),
    ("<?xml version='1.0' encoding='utf-16'?><report>".encode("utf-16"), "goaml"),
    (CSV.encode(), "csv"),
])
def test_format_is_told_from_the_first_bytes(head: bytes, expected: str) -> None:
    assert detect_format(head, "f") == expected


def test_message_sniffers() -> None:
    assert is_iso20022(PACS008)
    assert is_iso20022(ENVELOPED)
    assert not is_iso20022(CSV.encode())
    assert xml_root(PACS008) == ("Document", "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08")
    assert is_swift(b"{1:F01BANKBEBBAXXX0000000000}{2:I103BANKDEFFXXXXN}{4:\r\n:20:REF")
    assert is_swift(b"$\r\n{1:F01BANKBEBBAXXX0000000000}")
    assert is_swift(b":20:STMT-1\r\n:25:123456789\r\n:28C:1/1")
    assert not is_swift(CSV.encode())


def test_accepted_suffixes_come_from_the_table() -> None:
    assert set(ACCEPTED_SUFFIXES) == {s for f in FORMATS.values() for s in f.suffixes}
    assert {".csv", ".txt", ".parquet", ".xlsx", ".xls", ".xml", ".zip"} <= set(
        ACCEPTED_SUFFIXES)


def test_content_wins_over_the_name_and_input_format_over_content(tmp_path: Path) -> None:
    named_parquet = tmp_path / "batch.parquet"
    named_parquet.write_text(CSV, encoding="utf-8")
    assert read_batch(named_parquet).format == "csv"
    parquet = tmp_path / "batch.csv"
    pl.read_csv(named_parquet, infer_schema_length=0).write_parquet(parquet)
    assert read_batch(parquet).format == "parquet"
    with pytest.raises(IngestError) as err:
        read_batch(parquet, input_format="csv")
    assert err.value.key == "ingest.binary"
    with pytest.raises(IngestError) as err:
        read_batch(parquet, input_format="pdf")
    assert err.value.key == "ingest.unknown_format"


def test_zip_members_are_read_as_their_own_files(tmp_path: Path) -> None:
    archive = tmp_path / "envoi.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("mars/releve.csv", CSV)
        out.writestr("mars/", "")
        out.writestr("__MACOSX/mars/._releve.csv", b"\x00\x05\x16\x07")
        out.writestr("mars/notes.pdf", b"%PDF-1.7 not a batch")
        out.writestr("avril/releve.csv", CSV.replace("T1", "T2"))
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as out:
        out.writestr("mai/releve.csv", CSV.replace("T1", "T3"))
    with zipfile.ZipFile(archive, "a") as out:
        out.write(inner, "mai.zip")
    result = read_batch(archive)
    assert (result.format, result.rows_read) == ("zip", 4)
    assert result.members == (("mars/releve.csv", "csv"), ("mars/notes.pdf", "file_refused"),
                              ("avril/releve.csv", "csv"), ("mai.zip", "file_refused"))
    assert "mai.zip" in result.quarantine["reason"][1]
    assert result.frame.select("transaction_id", "source_file").rows() == [
        ("T1", "mars/releve.csv"), ("T2", "avril/releve.csv")]
    refused = result.quarantine.row(0, named=True)
    assert (refused["source_file"], refused["reason_code"], refused["line_number"]) == (
        "mars/notes.pdf", "file_refused", None)
    assert "PDF" in refused["reason"]


def test_a_zip_that_cannot_be_opened_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "coupe.zip"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00releve.csv")
    with pytest.raises(IngestError) as err:
        read_batch(path)
    assert err.value.key == "ingest.bad_zip"
