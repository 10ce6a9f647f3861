"""KYC columns of a batch: recognised under English and French headers, read into the forms
screening compares (ISO birth dates, alpha-2 nationalities, bare document numbers, E.164-like
phones); an unreadable value is dropped with a note on the row, which still loads."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from aml_screen.ingest import ColumnMapping, read_batch
from aml_screen.ingest.headers import resolve_columns
from aml_screen.ingest.reasons import note_sentences
from aml_screen.match import adjust
from aml_screen.pipeline import SCREENING_COLUMNS, run_screening
from aml_screen.schema import NOTES_COLUMN, PARTY_SCHEMA, TRANSACTION_SCHEMA
from aml_screen.watchlists.frame import entries_frame
from aml_screen.watchlists.loader import Watchlist
from tests.ingest.conftest import WriteBatch

FRENCH = ("Réf. opération", "Date opération", "Montant", "Devise", "Donneur d'ordre",
          "Né(e) le", "Nationalité", "Numéro CNI", "Téléphone", "Bénéficiaire",
          "Date de naissance bénéficiaire", "Nationalité bénéficiaire",
          "N° pièce d'identité bénéficiaire", "Numéro mobile bénéficiaire")


def _row(tx: str, **values: str) -> tuple[str, ...]:
    base = dict.fromkeys(FRENCH, "")
    base.update({"Réf. opération": tx, "Date opération": "01/03/2025 10:00",
                 "Montant": "150000", "Devise": "XOF", "Donneur d'ordre": "Oumar Ould Sidi",
                 "Bénéficiaire": "Aminata Maïga"})
    base.update(values)
    return tuple(base.values())


def test_english_and_french_kyc_headers_are_recognised() -> None:
    english = ["txn_id", "date", "amount", "currency", "sender", "sender_date_of_birth",
               "sender nationality", "Sender passport number", "sender_phone", "receiver",
               "Receiver DOB", "beneficiary_nationality", "beneficiary_id_number",
               "Recipient MSISDN"]
    resolved = resolve_columns(english, {}, "x.csv")
    assert {c: resolved.get(c) for c in PARTY_SCHEMA} == {
        "originator_birth_date": "sender_date_of_birth",
        "originator_nationality": "sender nationality",
        "originator_id_number": "Sender passport number",
        "originator_phone": "sender_phone",
        "beneficiary_birth_date": "Receiver DOB",
        "beneficiary_nationality": "beneficiary_nationality",
        "beneficiary_id_number": "beneficiary_id_number",
        "beneficiary_phone": "Recipient MSISDN",
    }
    french = resolve_columns(list(FRENCH), {}, "x.csv")
    assert {c: french.get(c) for c in PARTY_SCHEMA} == {
        "originator_birth_date": "Né(e) le",
        "originator_nationality": "Nationalité",
        "originator_id_number": "Numéro CNI",
        "originator_phone": "Téléphone",
        "beneficiary_birth_date": "Date de naissance bénéficiaire",
        "beneficiary_nationality": "Nationalité bénéficiaire",
        "beneficiary_id_number": "N° pièce d'identité bénéficiaire",
        "beneficiary_phone": "Numéro mobile bénéficiaire",
    }


def test_values_are_read_into_the_forms_screening_compares(write_batch: WriteBatch) -> None:
    path = write_batch(header=FRENCH, rows=[
        _row("T1", **{"Né(e) le": "05/04/1971", "Nationalité": "malienne",
                      "Numéro CNI": "CNI 1-234-567 A", "Téléphone": "00223 76 12 34 56",
                      "Date de naissance bénéficiaire": "1968",
                      "Nationalité bénéficiaire": "NER",
                      "N° pièce d'identité bénéficiaire": "passeport: a0012345",
                      "Numéro mobile bénéficiaire": "+227 (0) 96 12 34 56"}),
        _row("T2", **{"Né(e) le": "1980-11-23", "Téléphone": "76 12 34 56",
                      "Nationalité": "Burkinabè"}),
    ])
    frame = read_batch(path).frame
    assert frame.columns == [*TRANSACTION_SCHEMA, *PARTY_SCHEMA, NOTES_COLUMN]
    assert frame.select(list(PARTY_SCHEMA)).rows() == [
        ("1971-04-05", "ML", "1234567A", "+22376123456", "1968", "NE", "A0012345",
         "+22796123456"),
        ("1980-11-23", "BF", None, "76123456", None, None, None, None),
    ]
    assert frame[NOTES_COLUMN].to_list() == [None, None]


def test_birth_dates_follow_the_batch_date_order(write_batch: WriteBatch) -> None:
    path = write_batch([_row("T1", **{"Date opération": "03/01/2025", "Né(e) le": "05/04/1971"})],
                       header=FRENCH)
    day_first = read_batch(path).frame["originator_birth_date"][0]
    month_first = read_batch(path, ColumnMapping(date_order="mdy")).frame
    assert (day_first, month_first["originator_birth_date"][0]) == ("1971-04-05", "1971-05-04")


@pytest.mark.parametrize(("language", "words"), [
    ("en", ['originator birth date "31/02/1980"', 'beneficiary phone number "12 34"',
            'originator nationality "Atlantide"', 'ID document number "néant"']),
    ("fr", ["la date de naissance « 31/02/1980 » du donneur d'ordre",
            "le numéro de téléphone « 12 34 » du bénéficiaire",
            "la nationalité « Atlantide » du donneur d'ordre",
            "le numéro de pièce d'identité « néant » du bénéficiaire"]),
])
def test_unreadable_values_are_dropped_with_a_note_and_the_row_loads(
    write_batch: WriteBatch, language: str, words: list[str]
) -> None:
    path = write_batch(header=FRENCH, rows=[
        _row("T1", **{"Né(e) le": "31/02/1980", "Nationalité": "Atlantide",
                      "Numéro mobile bénéficiaire": "12 34",
                      "N° pièce d'identité bénéficiaire": "néant"}),
        _row("T2", **{"Né(e) le": "12/12/2099"}),
        _row("T3", **{"Né(e) le": "12/12/1960"}),
    ])
    result = read_batch(path)
    assert result.quarantine.is_empty()
    frame = result.frame
    assert frame["transaction_id"].to_list() == ["T1", "T2", "T3"]
    assert frame.row(0, named=True)["originator_birth_date"] is None
    assert frame.row(0, named=True)["beneficiary_phone"] is None
    stored = frame[NOTES_COLUMN][0]
    assert {n["field"]: n["value"] for n in json.loads(stored)} == {
        "originator_birth_date": "31/02/1980", "originator_nationality": "Atlantide",
        "beneficiary_id_number": "néant", "beneficiary_phone": "12 34"}
    note = "; ".join(note_sentences(stored, language))
    assert all(w in note for w in words), note
    assert "2099" in frame[NOTES_COLUMN][1]  # a birth date in the future
    assert frame[NOTES_COLUMN][2] is None


def test_batches_without_kyc_columns_keep_the_plain_schema(write_batch: WriteBatch) -> None:
    frame = read_batch(write_batch([("T1", "01/03/2025", "100", "XOF", "A B", "C D", "Mali")])
                       ).frame
    assert dict(frame.schema) == TRANSACTION_SCHEMA


def test_screening_only_loads_keep_the_kyc_columns(tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "id": ["T1", "T2"], "date": ["2025-03-01", "2025-03-02"], "amount": ["10", "20"],
        "currency": ["XOF", "XOF"], "originator_name": ["Iyad Ag Ghaly", "Awa Ba"],
        "originator_birth_date": ["1954-01-01", "bientôt"], "channel": ["wire", "cash"],
    })
    path = tmp_path / "kyc.parquet"
    frame.write_parquet(path)
    loaded = read_batch(path, columns=SCREENING_COLUMNS).frame
    assert loaded["originator_birth_date"].to_list() == ["1954-01-01", None]
    assert "bientôt" in loaded[NOTES_COLUMN][1]
    assert loaded["channel"].null_count() == 2


def test_kyc_columns_reach_the_hits_and_notes_are_counted(write_batch: WriteBatch) -> None:
    entries = entries_frame([{
        "list_id": "un_sc", "entry_id": "QDi.316", "entity_type": "person",
        "name": "IYAD AG GHALI", "name_kind": "primary", "birth_dates": ["1954"],
        "nationalities": ["ML"],
    }])
    watchlist = Watchlist("un_sc", "un.xml", "un_xml", "0" * 64, None, None, entries)
    path = write_batch(header=FRENCH, rows=[
        _row("T1", **{"Donneur d'ordre": "Iyad Ag Ghaly", "Né(e) le": "1954",
                      "Nationalité": "malien"}),
        _row("T2", **{"Donneur d'ordre": "Iyad Ag Ghaly", "Né(e) le": "01/01/1990",
                      "Téléphone": "appel"}),
    ])
    run = run_screening([path], [watchlist], threshold=85.0, screen_only=True)
    adjustments = {row["transaction_id"]: json.loads(row["explanation"])["adjustments"]
                   for row in run.hits.iter_rows(named=True)}
    assert adjustments["T1"]["birth_year"] == adjust.BIRTH_YEAR_SAME
    assert adjustments["T1"]["nationality"] == adjust.NATIONALITY_SAME
    assert "T2" not in adjustments  # born 1990: another person (-20 points)
    assert run.summary["rows_with_notes"] == 1
