"""The same batch saved by Excel/LibreOffice in each encoding loads to the same frame."""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import ColumnMapping, read_batch
from aml_screen.ingest.encoding import decode
from tests.ingest.conftest import batch_text

ROWS = [
    ("VIR-0001", "01/03/2025 10:00", "1 500 000", "XOF", "Aïssata Maïga",
     "Société Générale Côte d'Ivoire", "Côte d'Ivoire"),
    ("VIR-0002", "02/03/2025 16:45", "12 500,75", "EUR", "Hadja Fatoumata Kéïta",
     "Boulangerie « Le Croissant Doré »", "Sénégal"),
]
ARABIC_ROW = ("VIR-0003", "03/03/2025", "900,00", "MRU", "محمد ولد عبد العزيز",
              "عائشة بنت أحمد", "Mauritanie")


def _save(tmp_path: Path, text: str, encoding: str, bom: bytes = b"") -> Path:
    path = tmp_path / f"batch-{encoding}-{len(bom)}.csv"
    path.write_bytes(bom + text.encode(encoding))
    return path


SAVES = [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
    ("utf-16-le", b"", "utf-16-le"),
    ("utf-16-be", b"", "utf-16-be"),
    ("cp1252", b"", "cp1252"),
]


@pytest.mark.parametrize(("codec", "bom", "detected"), SAVES)
def test_every_encoding_loads_the_same_frame(
    tmp_path: Path, codec: str, bom: bytes, detected: str
) -> None:
    text = batch_text(ROWS, newline="\r\n")
    reference = read_batch(_save(tmp_path, text, "utf-8")).frame.drop("source_file")
    result = read_batch(_save(tmp_path, text, codec, bom))
    assert result.encoding == detected
    assert result.frame.drop("source_file").equals(reference)
    assert result.frame["originator_name"].to_list() == ["Aïssata Maïga", "Hadja Fatoumata Kéïta"]


@pytest.mark.parametrize(("codec", "bom", "detected"), [s for s in SAVES if s[0] != "cp1252"])
def test_arabic_names_survive_the_unicode_encodings(
    tmp_path: Path, codec: str, bom: bytes, detected: str
) -> None:
    result = read_batch(_save(tmp_path, batch_text([*ROWS, ARABIC_ROW]), codec, bom))
    row = result.frame.filter(pl.col("transaction_id") == "VIR-0003").row(0, named=True)
    assert (row["originator_name"], row["beneficiary_name"]) == ARABIC_ROW[4:6]
    assert row["beneficiary_country"] == "MR"


def test_cp1252_bytes_it_leaves_undefined_are_read_as_latin1() -> None:
    text, used = decode("Réf;Société\x81".encode("latin-1"), "auto", "x.csv")
    assert (text, used) == ("Réf;Société\x81", "cp1252")


def test_cp1252_specific_characters_are_decoded_as_cp1252() -> None:
    text, used = decode("Montant;Œuvre – 5 €".encode("cp1252"), "auto", "x.csv")
    assert (text, used) == ("Montant;Œuvre – 5 €", "cp1252")


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ("Réf;Nom\n1;Aïssata\n".encode() + "2;Maïga\n".encode("cp1252"), "ingest.mixed_encoding"),
        (b"\xff\xfeR\x00\xe9\x00\x00\xd8", "ingest.bad_encoding"),
    ],
)
def test_undecodable_text_is_refused_with_advice(content: bytes, key: str) -> None:
    with pytest.raises(IngestError) as err:
        decode(content, "auto", "x.csv")
    assert err.value.key == key
    assert "encoding:" in str(err.value)


def test_a_declared_encoding_that_does_not_fit_is_a_clear_error(tmp_path: Path) -> None:
    path = _save(tmp_path, batch_text(ROWS), "cp1252")
    with pytest.raises(IngestError) as err:
        read_batch(path, ColumnMapping(encoding="utf-8"))
    assert err.value.key == "ingest.wrong_encoding"
    assert "line 2" in str(err.value)


@pytest.mark.parametrize(
    ("declared", "codec", "bom"),
    [("utf-8", "utf-8", codecs.BOM_UTF8), ("utf-16", "utf-16-le", codecs.BOM_UTF16_LE),
     ("cp1252", "cp1252", b"")],
)
def test_a_declared_encoding_is_used(
    tmp_path: Path, declared: str, codec: str, bom: bytes
) -> None:
    path = _save(tmp_path, batch_text(ROWS), codec, bom)
    frame = read_batch(path, ColumnMapping(encoding=declared)).frame
    assert frame["beneficiary_name"][0] == "Société Générale Côte d'Ivoire"
