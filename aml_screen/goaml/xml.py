"""A ``model.Report`` as goAML 5.0.2 XML bytes (UTF-8). Pure: no store, no files.

Element order follows ``goAMLSchema.xsd`` 5.0.2. Code lists (``transmode_code``,
``*_funds_code``, ``report_indicators``) are each FIU's own: ``CHANNEL_CODES``,
``FUNDS_CODES`` and ``INDICATORS`` hold the generic choices made here and are what a
deployment adapts to its FIU's lists. Text goes through ElementTree, which escapes markup;
characters XML 1.0 cannot carry at all (control characters) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from aml_screen.goaml.model import Party, Report, Transaction

SCHEMA_VERSION = "5.0.2"
SUBMISSION_CODE = "E"
"""Electronic submission."""
REPORT_CODE = "STR"
UNKNOWN = "-"
"""goAML's value for "not known" in code lists and required names."""
CHANNEL_CODES = {"wire": "SWIFT", "mobile_money": "MB", "internal_transfer": "ONBNK",
                 "atm": "ATM"}
FUNDS_CODES = {"cash_deposit": "CASH", "cash_withdrawal": "CASH", "wire": "SWF",
               "mobile_money": "ELCFT", "internal_transfer": "FTS"}
DEFAULT_FUNDS = "ELCFT"
INDICATORS = ("UNUSU",)
MAX_TEXT = 4000
"""``comments_type`` length limit."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str | None, limit: int = MAX_TEXT) -> str:
    """Text XML 1.0 can carry, stripped and cut to ``limit`` characters."""
    return _NOT_XML.sub("", text or "").strip()[:limit]


def sql_date(value: datetime) -> str:
    """goAML ``sql_date``: UTC, to the second, without zone suffix."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def split_name(name: str) -> tuple[str, str]:
    """(first name, last name): the first word, then the rest; a single word is a last
    name whose first name is unknown."""
    words = clean(name, 255).split()
    if not words:
        return UNKNOWN, UNKNOWN
    if len(words) == 1:
        return UNKNOWN, words[0]
    return words[0], " ".join(words[1:])


def _person(parent: ET.Element, tag: str, name: str, country: str | None) -> None:
    person = _add(parent, tag)
    first, last = split_name(name)
    _add(person, "first_name", first[:100])
    _add(person, "last_name", last[:100])
    if country:
        _add(person, "residence", country)


def _side(transaction: ET.Element, direction: str, party: Party, code: str) -> None:
    """``t_from`` / ``t_to``: funds code, the account (with its holder) or else the person
    or entity, and the country."""
    side = _add(transaction, f"t_{direction}")
    _add(side, f"{direction}_funds_code", code)
    name = clean(party.name, 255) or UNKNOWN
    if party.account:
        account = _add(side, f"{direction}_account")
        _add(account, "institution_name", UNKNOWN)
        _add(account, "swift", UNKNOWN)
        _add(account, "account", clean(party.account, 50))
        _add(account, "account_name", name)
        if party.is_entity:
            _add(_add(account, "t_entity"), "name", name)
        else:
            signatory = _add(account, "signatory")
            _add(signatory, "is_primary", "true")
            _person(signatory, "t_person", name, party.country)
    elif party.is_entity:
        _add(_add(side, f"{direction}_entity"), "name", name)
    else:
        _person(side, f"{direction}_person", name, party.country)
    _add(side, f"{direction}_country", party.country or UNKNOWN)


def _transaction(report: ET.Element, item: Transaction, submitted_at: datetime) -> None:
    element = _add(report, "transaction")
    _add(element, "transactionnumber", clean(item.number, 50))
    channel = clean(item.channel, 255)
    _add(element, "transaction_location", channel or UNKNOWN)
    _add(element, "transaction_description", clean(item.purpose) or channel or UNKNOWN)
    _add(element, "date_transaction", sql_date(item.booked_at or submitted_at))
    _add(element, "transmode_code", CHANNEL_CODES.get(item.channel or "", UNKNOWN))
    _add(element, "transmode_comment", UNKNOWN)
    _add(element, "amount_local", format(item.amount_local, "f"))
    funds = FUNDS_CODES.get(item.channel or "", DEFAULT_FUNDS)
    _side(element, "from", item.source, funds)
    _side(element, "to", item.target, funds)


def build_str(report: Report) -> bytes:
    """The report as a goAML XML document, UTF-8 with declaration."""
    root = ET.Element("report")
    _add(root, "schema_version", SCHEMA_VERSION)
    _add(root, "rentity_id", report.entity_id)
    _add(root, "submission_code", SUBMISSION_CODE)
    _add(root, "report_code", REPORT_CODE)
    _add(root, "entity_reference", clean(report.reference, 255))
    _add(root, "submission_date", sql_date(report.submitted_at))
    _add(root, "currency_code_local", report.local_currency)
    _person(root, "reporting_person", report.reporter, None)
    _add(root, "reason", clean(report.reason))
    _add(root, "action", clean(report.action))
    for item in report.transactions:
        _transaction(root, item, report.submitted_at)
    indicators = _add(root, "report_indicators")
    for code in INDICATORS:
        _add(indicators, "indicator", code)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"
