"""Writing an STR (pure): hostile text escaped, amounts exact, names split, control
characters dropped, code lists used."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from defusedxml.ElementTree import fromstring

from aml_screen.goaml.model import Party, Report, Transaction
from aml_screen.goaml.xml import build_str, split_name

AT = datetime(2025, 3, 20, 12, 1, 30, tzinfo=UTC)


def _report(*transactions: Transaction, reason: str = "Motif") -> Report:
    return Report(entity_id="2042", reference="AML-SCREEN-CASE-7", submitted_at=AT,
                  local_currency="XOF", reporter="fatou", reason=reason, action="Déclaré",
                  transactions=transactions)


def _transaction(source: Party, target: Party, amount: str = "1000000.0000",
                 channel: str | None = "mobile_money") -> Transaction:
    return Transaction("TX-2025-00047", AT, Decimal(amount), channel, "paiement marchandises",
                       source, target)


def test_hostile_text_stays_text() -> None:
    hostile = '</first_name><script>alert("x")</script>&amp; <![CDATA[ ]]> Ag Ghaly'
    body = build_str(_report(_transaction(Party(hostile, None, "ML"),
                                          Party("Awa Sangaré", "+22676605549", "BF")),
                             reason="<reason>faux</reason> & \x00\x1b fin"))
    root = fromstring(body)
    person = root.find("transaction/t_from/from_person")
    assert person is not None
    first, last = person.findtext("first_name"), person.findtext("last_name")
    assert f"{first} {last}" == hostile
    assert root.findtext("reason") == "<reason>faux</reason> &  fin"
    assert b"<script>" not in body
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_amounts_are_exact_decimal_text() -> None:
    body = build_str(_report(
        _transaction(Party("A B", None, None), Party("C D", None, None),
                     amount="12345678901234.5678"),
        _transaction(Party("A B", None, None), Party("C D", None, None), amount="0.1")))
    amounts = [e.text for e in fromstring(body).iter("amount_local")]
    assert amounts == ["12345678901234.5678", "0.1"]


def test_accounts_people_entities_and_countries() -> None:
    body = build_str(_report(_transaction(
        Party("محمد ولد أحمد", "MR1200020001010000123456", "MR"),
        Party("Ets Koné et Frères SARL", None, None), channel="wire")))
    tx = fromstring(body).find("transaction")
    assert tx is not None
    assert tx.findtext("transmode_code") == "SWIFT"
    assert tx.findtext("t_from/from_funds_code") == "SWF"
    assert tx.findtext("t_from/from_account/account") == "MR1200020001010000123456"
    assert tx.findtext("t_from/from_account/account_name") == "محمد ولد أحمد"
    assert tx.findtext("t_from/from_account/signatory/t_person/first_name") == "محمد"
    assert tx.findtext("t_from/from_country") == "MR"
    assert tx.findtext("t_to/to_entity/name") == "Ets Koné et Frères SARL"
    assert tx.findtext("t_to/to_country") == "-"
    assert tx.findtext("date_transaction") == "2025-03-20T12:01:30"


def test_header() -> None:
    root = fromstring(build_str(_report()))
    assert [child.tag for child in root][:9] == [
        "schema_version", "rentity_id", "submission_code", "report_code", "entity_reference",
        "submission_date", "currency_code_local", "reporting_person", "reason"]
    assert (root.findtext("rentity_id"), root.findtext("report_code"),
            root.findtext("currency_code_local")) == ("2042", "STR", "XOF")
    assert root.findtext("reporting_person/last_name") == "fatou"


def test_names_split_into_first_and_last() -> None:
    assert split_name("  Aïssata   Walet Maïga ") == ("Aïssata", "Walet Maïga")
    assert split_name("Moussa") == ("-", "Moussa")
    assert split_name("") == ("-", "-")
