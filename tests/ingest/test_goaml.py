"""goAML reports read as batches: one record per transaction, hardened streamed parsing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aml_screen.errors import IngestError
from aml_screen.i18n import translate
from aml_screen.ingest import read_batch
from aml_screen.ingest.goaml import read_goaml

DATA = Path(__file__).parent / "data"
REPORT = DATA / "goaml_str.xml"


def test_every_transaction_is_one_record_with_its_parties_and_report() -> None:
    result = read_batch(REPORT)
    assert result.format == "goaml"
    assert (result.rows_read, result.frame.height, result.quarantine.height) == (3, 2, 1)
    first, second = result.frame.sort("transaction_id").to_dicts()
    assert (first["originator_name"], first["originator_birth_date"],
            first["originator_nationality"], first["originator_id_number"],
            first["originator_phone"]) == ("Iyad Ag Ghaly", "1954-01-01", "ML", "A1234567",
                                           "+22376123456")
    assert (first["amount"], first["currency"], first["channel"], first["purpose"]) == (
        Decimal("4500000"), "XOF", "CASH", "Dépôt espèces")
    # an account: its name, number and bank; the entity's country when the side has none
    assert (first["beneficiary_name"], first["beneficiary_account"], first["beneficiary_bic"],
            first["beneficiary_country"]) == ("Ets Ansar Dine", "NE0420100100123456789",
                                              "BSAHNENI", "NE")
    # an account without a name is its primary signatory's, whose details then apply;
    # the side's foreign amount wins over amount_local
    assert (second["originator_name"], second["originator_birth_date"],
            second["originator_id_number"], second["amount"], second["currency"]) == (
        "Amadou Kouffa", "1961-05-14", "123456789", Decimal("1000.00"), "EUR")
    assert (second["beneficiary_name"], second["beneficiary_country"]) == (
        "Comptoir de Change Al Wafa Sahel", "BF")
    for row in (first, second):
        assert (row["report_id"], row["reporting_entity"], row["report_code"]) == (
            "DS-2026-117", "2041", "STR")
    assert first["source_ref"] == "/report/transaction[1]"


def test_a_transaction_that_cannot_be_read_names_its_xpath() -> None:
    quarantined = read_batch(REPORT).quarantine.row(0, named=True)
    assert quarantined["transaction_id"] == "NE-0003"
    assert quarantined["reason_code"] == "bad_amount"
    assert quarantined["raw"].startswith("/report/transaction[3] | NE-0003")
    assert quarantined["line_number"] == 3


def test_elements_not_read_are_counted_by_path() -> None:
    unmapped = read_batch(REPORT).unmapped
    assert unmapped["report/transaction/t_from_my_client/from_funds_code"] == 2
    assert unmapped["report/transaction/transaction_location"] == 1
    assert unmapped["report/report_indicators/indicator"] == 1
    assert unmapped["report/transaction/t_from_my_client/from_person/gender"] == 1
    # read elements are not counted, nor "-" (goAML's "unknown")
    assert not [p for p in unmapped if p.endswith(("first_name", "amount_local", "to_country"))
                and "reporting_person" not in p]


def _refusal(path: Path) -> IngestError:
    with pytest.raises(IngestError) as err:
        read_batch(path)
    return err.value


def test_truncated_report_is_refused_with_line_and_xpath(tmp_path: Path) -> None:
    text = REPORT.read_text(encoding="utf-8")
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.index("<to_account>") + 60], encoding="utf-8")
    error = _refusal(path)
    assert error.key == "ingest.xml.not_well_formed"
    line = translate(error.key, "en", **error.params)
    assert "\n" not in line
    assert str(path) in line
    assert "/report/transaction[1]/t_to_my_client/to_account" in line
    assert f"line {text[: text.index('<to_account>') + 60].count(chr(10)) + 1}" in line
    assert "rien n'a été chargé" in translate(error.key, "fr", **error.params)


def test_billion_laughs_is_refused_before_expanding(tmp_path: Path) -> None:
    lols = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "bomb.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE report [<!ENTITY lol0 "lol">{lols}]>'
                    "<report><report_code>&lol9;</report_code></report>", encoding="utf-8")
    assert _refusal(path).key == "ingest.xml.forbidden"


def test_wrong_namespace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ns.xml"
    path.write_text(REPORT.read_text(encoding="utf-8").replace(
        "<report>", '<report xmlns="http://example.org/not-goaml">'), encoding="utf-8")
    error = _refusal(path)
    assert error.key == "ingest.goaml.namespace"
    assert "http://example.org/not-goaml" in str(error)


def test_an_xml_document_no_reader_knows_is_refused_by_its_root(tmp_path: Path) -> None:
    path = tmp_path / "list.xml"
    path.write_text('<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>',
                    encoding="utf-8")
    error = _refusal(path)
    assert error.key == "ingest.unknown_xml"
    assert "CONSOLIDATED_LIST" in str(error)


@pytest.mark.shared
def test_every_shared_sample_loads(shared_data: Path) -> None:
    samples = sorted((shared_data / "goaml" / "samples").glob("*.xml"))
    assert samples
    for sample in samples:
        result = read_batch(sample)
        assert result.rows_read == result.frame.height + result.quarantine.height > 0
        assert result.frame["originator_name"].is_not_null().all()
        assert result.frame["report_code"].is_not_null().all()
        activity = b"<transaction>" not in sample.read_bytes()
        assert result.frame["party_only"].is_not_null().all() == activity


def test_activity_report_parties_are_party_only_rows() -> None:
    result = read_batch(DATA / "goaml_activity.xml")
    assert result.quarantine.is_empty()
    rows = result.frame.select("transaction_id", "originator_name", "originator_country",
                               "originator_birth_date", "purpose", "amount", "booked_at",
                               "currency", "party_only", "report_code").rows()
    assert rows == [
        ("DPMS-2026-009/party[1]", "Comptoir de Change Al Wafa Sahel", "NE", None,
         "Achat de 12 kg d'or payé en espèces", None, None, None, "true", "DPMSR"),
        ("DPMS-2026-009/party[2]", "Mariama Issoufou", None, "1979-08-21", None, None, None,
         None, "true", "DPMSR")]
    assert result.unmapped["report/activity/goods_services/item/item_type"] == 1
    assert result.unmapped["report/activity/report_parties/report_party/role"] == 2


def test_a_report_with_nothing_to_screen_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vide.xml"
    path.write_text("<report><rentity_id>1</rentity_id><report_code>AIF</report_code>"
                    "<reason>-</reason></report>", encoding="utf-8")
    error = _refusal(path)
    assert error.key == "ingest.goaml.no_transactions"
    assert "AIF" in str(error)


EDGES = """<?xml version="1.0" encoding="UTF-8"?>
<report>
  <rentity_id> 2041 </rentity_id>
  <report_code>STR</report_code>
  <entity_reference>&#45;</entity_reference>
  <currency_code_local>XOF</currency_code_local>
  <transaction>
    <transactionnumber><![CDATA[NE-0001 & 2]]></transactionnumber>
    <amount_local>-</amount_local>
    <t_from_my_client>
      <from_account>
        <account_name>STRASSE Import</account_name>
        <signatory><t_person><first_name>straße</first_name><last_name>import</last_name>
          <birthdate>1970-01-02</birthdate></t_person></signatory>
      </from_account>
      <from_foreign_currency><foreign_amount>12.50</foreign_amount></from_foreign_currency>
    </t_from_my_client>
    <t_to><to_account><account_name>Awa <!-- sic -->Diallo</account_name></to_account></t_to>
    <t_to><to_person><first_name>Aminata</first_name><last_name>&#68;iallo&#160;</last_name>
      <nationality1>ML</nationality1></to_person><to_country>-</to_country></t_to>
    <amount_local>1000</amount_local>
  </transaction>
  <transaction/>
</report>
"""


def test_text_is_read_as_an_xml_parser_gives_it_and_later_elements_win(tmp_path: Path) -> None:
    """CDATA, references, comments inside text and ``-``; a signatory named like the
    account (case folded: ``ß`` is ``ss``) gives its details; of two ``t_to``, the later
    one's columns win; ``amount_local`` after a foreign amount wins over it; an empty
    ``<transaction/>`` is a record (quarantined later)."""
    path = tmp_path / "edges.xml"
    path.write_text(EDGES, encoding="utf-8")
    batch = read_goaml(path)
    assert batch.frame.select(
        "source_ref", "transaction_id", "amount", "currency", "originator_name",
        "originator_birth_date", "beneficiary_name", "beneficiary_nationality",
        "beneficiary_country", "report_id", "reporting_entity").rows() == [
        ("/report/transaction[1]", "NE-0001 & 2", "1000", "XOF", "STRASSE Import",
         "1970-01-02", "Aminata Diallo", "ML", None, None, "2041"),
        ("/report/transaction[2]", None, None, "XOF", None, None, None, None, None, None,
         "2041")]
    assert not batch.unmapped
