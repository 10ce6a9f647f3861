"""goAML reports (schema 4.x and 5.0.x) -> one record per ``<transaction>``.

The report is parsed streamed and hardened: ``defusedxml`` refuses any DTD, entity or
external reference (an XML bomb is refused before it expands), and each top-level element
is let go once read, so memory follows the records, not the file. Records are gathered
``FLUSH_ROWS`` at a time into a polars frame.

A transaction's two sides (``t_from_my_client``/``t_from`` and ``t_to_my_client``/``t_to``)
are read into the originator and beneficiary columns from the side's person (first,
middle and last name, birth date, nationality, ID document, phone), account (account name,
number or IBAN, SWIFT code as the side's BIC; the account's entity or primary signatory
when it has no name) or entity (name, incorporation country). ``amount_local`` is in the
report's ``currency_code_local``, unless the side gives a foreign amount and currency.
``transmode_code`` is the channel, ``transaction_description`` the purpose. The report's
code, reporting entity id and reference are given to each of its records. goAML writes
``-`` for "not known": it is read as no value. Every element not read into a column is
counted by path (``RecordBatch.unmapped``).

A report without transactions (an activity report: its parties and goods) gives one
party-only record per ``report_party`` (``schema.PARTY_ONLY_COLUMN``): the party in the
originator columns, read as a transaction's side is, its ``reason`` as purpose, and no
date, amount or currency; it is screened by name and left out of rules. A report with
neither transactions nor parties is refused with a reason that says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET
import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest.records import AGENT_COLUMNS, REPORT_COLUMNS, SOURCE_REF, RecordBatch
from aml_screen.schema import PARTY_ATTRIBUTES, PARTY_ONLY_COLUMN, PARTY_ROLES

FORMAT = "goaml"
FLUSH_ROWS = 100_000
UNKNOWN = "-"
_SIDES = {"t_from_my_client": "originator", "t_from": "originator",
          "t_to_my_client": "beneficiary", "t_to": "beneficiary"}
_DIRECTION = {"originator": "from_", "beneficiary": "to_"}
_TRANSACTION_FIELDS = {"transactionnumber": "transaction_id", "date_transaction": "booked_at",
                       "transmode_code": "channel", "transaction_description": "purpose",
                       "amount_local": "amount"}
_PERSON = ("first_name", "middle_name", "last_name", "birthdate", "nationality1", "id_number",
           "passport_number", "identifications/identification/number",
           "identification/number", "phones/phone/tph_country_prefix",
           "phones/phone/tph_number", "residence")
_PERSONS = ("person", "account/signatory/t_person")
_ENTITIES = ("entity", "account/t_entity")
SIDE_KEYS = frozenset({
    *(f"{holder}/{field}" for holder in _PERSONS for field in _PERSON),
    *(f"{holder}/{field}" for holder in _ENTITIES
      for field in ("name", "incorporation_country_code")),
    "account/account", "account/iban", "account/account_name", "account/swift", "country",
    "foreign_currency/foreign_currency_code", "foreign_currency/foreign_amount",
})
"""What is read of a side, by path below it with the side's ``from_``/``to_`` dropped."""
_REPORT_FIELDS = {"rentity_id": "reporting_entity", "report_code": "report_code",
                  "entity_reference": "report_id", "currency_code_local": "currency"}
COLUMNS = (SOURCE_REF, "transaction_id", "booked_at", "amount", "currency",
           *(f"{role}_{c}" for role in PARTY_ROLES for c in ("name", "account", "country")),
           "channel", "purpose",
           *(f"{role}_{a}" for role in PARTY_ROLES for a in PARTY_ATTRIBUTES),
           *AGENT_COLUMNS, PARTY_ONLY_COLUMN, *REPORT_COLUMNS)
_GATHERED = COLUMNS[:-len(REPORT_COLUMNS)]
"""The columns read from each transaction (the report's are added once at the end)."""


def read_goaml(path: Path) -> RecordBatch:
    """The report's transactions as records; a document that is not well-formed, holds a
    DTD or entities, is not a goAML ``report`` or has no transactions raises
    ``IngestError`` naming the file (and the line and element where parsing stopped)."""
    report: dict[str, str] = {}
    unmapped: Counter[str] = Counter()
    frames: list[pl.DataFrame] = []
    columns: dict[str, list[str | None]] = {c: [] for c in _GATHERED}
    for element, number in _top_elements(path, report, unmapped):
        if element.tag == "transaction":
            record = _transaction(element, unmapped)
            record[SOURCE_REF] = f"/report/transaction[{number}]"
            for name, values in columns.items():
                values.append(record.get(name))
            if len(columns[SOURCE_REF]) >= FLUSH_ROWS:
                frames.append(_frame(columns))
        elif element.tag == "activity":
            for record in _parties(element, report.get("report_id"), unmapped):
                for name, values in columns.items():
                    values.append(record.get(name))
        elif element.tag in _REPORT_FIELDS and _text(element) is not None:
            report[_REPORT_FIELDS[element.tag]] = _text(element) or ""
        else:
            _count(element, f"report/{element.tag}", unmapped)
    frames.append(_frame(columns))
    frame = pl.concat(frames)
    if frame.height == 0:
        raise IngestError("ingest.goaml.no_transactions", path=path,
                          report_code=report.get("report_code", UNKNOWN))
    local = report.pop("currency", None)
    frame = frame.with_columns(
        pl.when(pl.col(PARTY_ONLY_COLUMN).is_null()).then(
            pl.col("currency").fill_null(pl.lit(local, pl.String))).alias("currency"),
        *(pl.lit(report.get(c), pl.String).alias(c) for c in REPORT_COLUMNS),
    ).select(COLUMNS)
    return RecordBatch(FORMAT, frame, unmapped)


def _frame(columns: dict[str, list[str | None]]) -> pl.DataFrame:
    """The gathered records as a frame; the lists are emptied for the next ones."""
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    for values in columns.values():
        values.clear()
    return frame


def _top_elements(path: Path, report: dict[str, str], unmapped: Counter[str]
                  ) -> Iterator[tuple[ET.Element, int]]:
    """Each child of the root ``report`` once parsed (with its 1-based number among the
    ``transaction`` elements), then let go of."""
    stack: list[str] = []
    transactions = 0
    root: ET.Element | None = None
    try:
        for event, element in SafeET.iterparse(str(path), events=("start", "end"),
                                               forbid_dtd=True):
            if event == "start":
                if root is None:
                    root = _check_root(element, path)
                elif len(stack) == 1 and element.tag == "transaction":
                    transactions += 1
                stack.append(element.tag if element.tag != "transaction"
                             else f"transaction[{transactions}]")
                continue
            stack.pop()
            if len(stack) == 1 and root is not None:
                yield element, transactions
                root.remove(element)
    except ET.ParseError as exc:
        line, column = exc.position
        raise IngestError("ingest.xml.not_well_formed", path=path, line=line, column=column,
                          xpath="/" + "/".join(stack), detail=str(exc).split(":")[0]) from exc
    except defusedxml.DefusedXmlException as exc:
        raise IngestError("ingest.xml.forbidden", path=path, detail=str(exc)) from exc
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc


def _check_root(element: ET.Element, path: Path) -> ET.Element:
    tag = element.tag
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        raise IngestError("ingest.goaml.namespace", path=path, root=local, namespace=namespace)
    if tag != "report":
        raise IngestError("ingest.goaml.not_report", path=path, root=tag)
    return element


def _text(element: ET.Element) -> str | None:
    text = (element.text or "").strip()
    return None if not text or text == UNKNOWN else text


def _count(element: ET.Element, path: str, unmapped: Counter[str]) -> None:
    """Count the leaves under ``element`` (itself when it has no children) by path."""
    if len(element) == 0:
        if _text(element) is not None:
            unmapped[path] += 1
        return
    for child in element:
        _count(child, f"{path}/{child.tag}", unmapped)


def _transaction(element: ET.Element, unmapped: Counter[str]) -> dict[str, str | None]:
    record: dict[str, str | None] = {}
    for child in element:
        tag = child.tag
        if tag in _TRANSACTION_FIELDS and (value := _text(child)) is not None:
            record[_TRANSACTION_FIELDS[tag]] = value
        elif tag in _SIDES:
            role = _SIDES[tag]
            values: dict[str, str] = {}
            _side(child, "", _DIRECTION[role], f"report/transaction/{tag}", values, unmapped)
            _side_record(role, values, record)
        else:
            _count(child, f"report/transaction/{tag}", unmapped)
    return record


def _parties(activity: ET.Element, report_id: str | None, unmapped: Counter[str]
             ) -> Iterator[dict[str, str | None]]:
    """One party-only record per ``report_party`` of an activity report; its other
    elements (goods and services...) counted as unmapped."""
    number = 0
    for child in activity:
        if child.tag != "report_parties":
            _count(child, f"report/activity/{child.tag}", unmapped)
            continue
        for party in child:
            path = f"report/activity/report_parties/{party.tag}"
            if party.tag != "report_party":
                _count(party, path, unmapped)
                continue
            number += 1
            values: dict[str, str] = {}
            record: dict[str, str | None] = {
                SOURCE_REF: f"/report/activity/report_parties/report_party[{number}]",
                "transaction_id": f"{report_id or 'report'}/party[{number}]",
                PARTY_ONLY_COLUMN: "true",
            }
            for element in party:
                if element.tag == "reason" and (reason := _text(element)) is not None:
                    record["purpose"] = reason
                elif element.tag in ("reason", "role", "significance", "is_suspected",
                                     "comments"):
                    _count(element, f"{path}/{element.tag}", unmapped)
                else:
                    holder = ET.Element("party")
                    holder.append(element)
                    _side(holder, "", "", path, values, unmapped)
            _side_record("originator", values, record)
            yield record


def _side(element: ET.Element, key: str, direction: str, path: str, values: dict[str, str],
          unmapped: Counter[str]) -> None:
    """The leaves of one side into ``values`` by key (first occurrence wins), the others
    counted as unmapped. A side's own elements lose their direction (``from_person``:
    ``person``) and a report party's its ``_my_client`` (``entity_my_client``: ``entity``)."""
    for child in element:
        tag = child.tag
        name = tag.removeprefix(direction).removesuffix("_my_client") if not key else tag
        child_key = f"{key}/{name}" if key else name
        child_path = f"{path}/{tag}"
        if len(child):
            _side(child, child_key, direction, child_path, values, unmapped)
        elif (value := _text(child)) is not None:
            if child_key in SIDE_KEYS:
                values.setdefault(child_key, value)
            else:
                unmapped[child_path] += 1


def _person_name(values: dict[str, str], holder: str) -> str | None:
    parts = [values.get(f"{holder}/{p}") for p in ("first_name", "middle_name", "last_name")]
    return " ".join(p for p in parts if p) or None


def _side_record(role: str, values: dict[str, str], record: dict[str, str | None]) -> None:
    """The side's columns: its name from the person, the account (its name, else its
    entity or signatory) or the entity; KYC details from the person whose name it is."""
    person: str | None = None
    if "person/last_name" in values or "person/first_name" in values:
        name, person = _person_name(values, "person"), "person"
    else:
        signatory = _person_name(values, _PERSONS[1])
        name = (values.get("account/account_name") or values.get("account/t_entity/name")
                or signatory or values.get("entity/name"))
        if signatory and name and signatory.casefold() == name.casefold():
            person = _PERSONS[1]
    columns: dict[str, str | None] = {
        "name": name,
        "account": values.get("account/account") or values.get("account/iban"),
        "country": values.get("country") or (values.get(f"{person}/residence") if person
                                             else None)
        or values.get("entity/incorporation_country_code")
        or values.get("account/t_entity/incorporation_country_code"),
        "bic": values.get("account/swift"),
    }
    if person is not None:
        columns |= {
            "birth_date": values.get(f"{person}/birthdate"),
            "nationality": values.get(f"{person}/nationality1"),
            "id_number": (values.get(f"{person}/id_number")
                          or values.get(f"{person}/passport_number")
                          or values.get(f"{person}/identifications/identification/number")
                          or values.get(f"{person}/identification/number")),
            "phone": _phone(values.get(f"{person}/phones/phone/tph_country_prefix"),
                            values.get(f"{person}/phones/phone/tph_number")),
        }
    record.update({f"{role}_{k}": v for k, v in columns.items() if v is not None})
    if foreign := values.get("foreign_currency/foreign_amount"):
        record["amount"] = foreign
        record["currency"] = values.get("foreign_currency/foreign_currency_code")


def _phone(prefix: str | None, number: str | None) -> str | None:
    """``+<country prefix><number>`` (the number's trunk 0 dropped) when the prefix is
    given, else the number as written."""
    if number is None or prefix is None:
        return number
    return f"+{prefix.lstrip('+0')}{number.lstrip('0')}"
