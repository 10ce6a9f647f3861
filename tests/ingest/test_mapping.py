"""Column mapping files: a French bank's export mapped onto the schema; invalid files."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aml_screen.errors import ConfigError, IngestError
from aml_screen.ingest import ColumnMapping, load_mapping, read_batch
from aml_screen.ingest.headers import fold
from tests.ingest.conftest import batch_text

SAMPLE = Path(__file__).resolve().parents[2] / "aml_screen" / "samples" / "mapping_example.yaml"

BANK_HEADER = ("Réf. opération", "Date valeur", "Montant", "Devise", "Donneur d'ordre",
               "Compte DO", "Pays DO", "Bénéficiaire", "Compte bénéficiaire",
               "Pays bénéficiaire", "Canal", "Motif", "Agence")
BANK_ROWS = [
    ("OP-2025-000117", "01/03/2025 10:00", "1 500 000", "XOF", "Aïssata Maïga",
     "ML0160100100123456789", "Mali", "Société Générale Côte d'Ivoire", "CI0080100100987654",
     "Côte d'Ivoire", "VIREMENT", "Achat de bétail", "Bamako-Coura"),
    ("OP-2025-000118", "01/03/2025", "2 350,75", "EUR", "Ousmane Diallo", "NE123", "NER",
     "Boubacar Cissé", "FR7630006000011234567890189", "France", "SWIFT", "Frais", "Niamey"),
]


def test_sample_mapping_loads_a_francophone_bank_export(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(batch_text(BANK_ROWS, header=BANK_HEADER).encode("cp1252"))
    result = read_batch(path, load_mapping(SAMPLE))
    assert result.encoding == "cp1252"
    first, second = result.frame.iter_rows(named=True)
    assert (first["transaction_id"], first["amount"], first["booked_at"]) == (
        "OP-2025-000117", Decimal("1500000"), datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    assert (second["amount"], second["booked_at"]) == (
        Decimal("2350.75"), datetime(2025, 2, 28, 23, 0, tzinfo=UTC))
    assert [first["originator_country"], first["beneficiary_country"],
            second["originator_country"]] == ["ML", "CI", "NE"]
    assert (first["channel"], first["purpose"], first["Agence"]) == (
        "VIREMENT", "Achat de bétail", "Bamako-Coura")


def test_mapping_names_are_matched_ignoring_case_and_accents() -> None:
    assert fold(" RÉF. Opération ") == fold("ref_operation") == "ref_operation"


def test_mapped_header_absent_from_the_file_is_an_ingest_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(batch_text(BANK_ROWS, header=BANK_HEADER), encoding="utf-8")
    mapping = ColumnMapping(columns={"amount": "Montant TTC"})
    with pytest.raises(IngestError) as err:
        read_batch(path, mapping)
    assert err.value.key == "ingest.mapped_column_missing"
    assert "Montant TTC" in str(err.value)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("columns: [Montant]", "columns"),
        ("columns: {montant: Montant}", "columns.montant"),
        ("columns: {amount: ''}", "columns.amount"),
        ("date_formats: [dd/mm/yyyy]", "date_formats"),
        ("timezone: Africa/Tombouctou", "timezone"),
        ("decimal_separator: ' '", "decimal_separator"),
        ("delimiter: ':'", "delimiter"),
        ("encoding: klingon", "encoding"),
        ("date_order: ymd", "date_order"),
        ("colonnes: {}", "colonnes"),
        ("- a list", "-"),
        ("columns: {amount: [unclosed", "-"),
    ],
)
def test_invalid_mapping_names_file_and_field(tmp_path: Path, content: str, field: str) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_mapping(path)
    assert err.value.params["field"] == field
    assert str(path) in str(err.value)


def test_unreadable_mapping_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_mapping(tmp_path / "absent.yaml")
    assert err.value.key == "ingest.mapping_unreadable"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("delimiter: tab", ColumnMapping(delimiter="\t")),
        ('delimiter: "\\t"', ColumnMapping(delimiter="\t")),
        ("encoding: UTF8\ndate_formats: '%d/%m/%Y'",
         ColumnMapping(encoding="utf-8", date_formats=("%d/%m/%Y",))),
        ("timezone: Africa/Niamey", ColumnMapping(timezone="Africa/Niamey")),
        ("# nothing but a comment", ColumnMapping()),
    ],
)
def test_mapping_values_are_normalised(tmp_path: Path, content: str,
                                       expected: ColumnMapping) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(content, encoding="utf-8")
    assert load_mapping(path) == expected
