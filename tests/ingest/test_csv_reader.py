"""Delimiters, quoting, embedded newlines and the physical line number of every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import ColumnMapping, read_batch
from aml_screen.ingest.csv_reader import LINE_COLUMN, detect_delimiter, header_names, read_csv_text
from tests.ingest.conftest import WriteBatch

ROWS = [
    ("T1", "2025-03-01", "100", "EUR", "Diallo, Oumar", "SARL \"Sahel Import\"", "Mali"),
    ("T2", "2025-03-02", "200", "EUR", "Keïta\nAminata", "B", "Niger"),
    ("T3", "2025-03-03", "300", "EUR", "C", "D", "Tchad"),
]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_delimiters_are_detected_and_quoted_fields_kept_whole(
    write_batch: WriteBatch, delimiter: str, newline: str
) -> None:
    result = read_batch(write_batch(ROWS, delimiter=delimiter, newline=newline))
    frame = result.frame
    assert frame["originator_name"].to_list() == ["Diallo, Oumar", "Keïta Aminata", "C"]
    assert frame["beneficiary_name"][0] == 'SARL "Sahel Import"'
    # T2 spans lines 3-4, so T3 starts on line 5
    assert frame["source_line"].to_list() == [2, 3, 5]
    assert frame["beneficiary_country"].to_list() == ["ML", "NE", "TD"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("a;b,c;d", ";"), ("a,b,c", ","), ('"x;y",b,c', ","), ("a\tb\tc", "\t"), ("a|b", "|"),
     ("solo", ",")],
)
def test_detect_delimiter_from_header(header: str, expected: str) -> None:
    assert detect_delimiter(header) == expected


def test_header_names_are_unique_and_never_blank() -> None:
    assert header_names([" Account ", "Account", "", "Account"]) == [
        "Account", "Account_2", "column_3", "Account_3"]


def test_line_numbers_count_blank_lines_and_multiline_rows() -> None:
    text = (
        'id;amount\n'
        '\n'
        'A;"1\n2\n3"\n'
        'B;4;extra\n'
        '\r\n'
        ';\n'
        'C;"x"\n'
    )
    batch = read_csv_text(text, "auto", "x.csv")
    assert batch.frame[LINE_COLUMN].to_list() == [3, 9]
    assert [(b.line, b.fields, b.raw) for b in batch.broken] == [
        (6, ("B", "4", "extra"), "B;4;extra")]


def test_bad_field_count_reports_the_line_after_a_multiline_row(write_batch: WriteBatch) -> None:
    rows = [ROWS[1], ("T9", "2025-03-01", "5")]
    q = read_batch(write_batch(rows, delimiter=";")).quarantine
    assert q.select("line_number", "transaction_id", "reason_code").rows() == [
        (4, "T9", "bad_field_count")]


def test_declared_delimiter_wins(write_batch: WriteBatch) -> None:
    path = write_batch(ROWS, delimiter="|")
    with pytest.raises(IngestError):
        read_batch(path, ColumnMapping(delimiter=";"))
    assert read_batch(path, ColumnMapping(delimiter="|")).frame.height == 3


@pytest.mark.parametrize(
    "third_row",
    ["T3;2025-03-01;1;EUR;x;y\n", 'T3;2025-03-01;1;EUR;"x\nT4;2025-03-01;1;EUR;y\n'],
)
def test_stray_quote_is_refused_with_its_line(tmp_path: Path, third_row: str) -> None:
    """A quote inside an unquoted field, or a quoted field never closed."""
    path = tmp_path / "batch.csv"
    path.write_text(
        "id;date;amount;currency;purpose\n"
        "T1;2025-03-01;1;EUR;ok\n"
        'T2;2025-03-01;1;EUR;ecran 55" plat\n' + third_row,
        encoding="utf-8",
    )
    with pytest.raises(IngestError) as err:
        read_batch(path)
    assert err.value.key == "ingest.bad_quoting"
    assert "line 3" in str(err.value)
