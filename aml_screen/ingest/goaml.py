"""goAML reports (schema 4.x and 5.0.x) -> one record per ``<transaction>``.

The report is read by ``xml_records``: checked by defusedxml's expat (any DTD, entity or
external reference is refused before anything expands; a truncated or damaged report is
refused whole) and streamed, its transactions extracted by one regular expression per
shape and turned into columns by ``goaml_columns`` (which says what is read where), so
memory follows one block of the file and the columns, not the file. The report's other
elements (its code, reporting entity id, reference, local currency, indicators...) are
read one by one as they come, a few per report. Every element not read into a column is
counted by path (``RecordBatch.unmapped``) when it holds a value.

A report without transactions (an activity report: its parties and goods) gives one
party-only record per ``report_party`` (``schema.PARTY_ONLY_COLUMN``): the party in the
originator columns, read as a transaction's side is, its ``reason`` as purpose, and no
date, amount or currency; it is screened by name and left out of rules. A report with
neither transactions nor parties is refused with a reason that says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest import xml_records
from aml_screen.ingest.goaml_columns import (
    GATHERED,
    IGNORED,
    ORDER,
    SIDE_KEYS,
    UNKNOWN,
    clean_text,
    resolve,
    transaction_field,
)
from aml_screen.ingest.records import REPORT_COLUMNS, SOURCE_REF, RecordBatch
from aml_screen.ingest.xml_records import Layout, XmlFileError, children, leaves
from aml_screen.schema import PARTY_ONLY_COLUMN

FORMAT = "goaml"
LAYOUT = Layout(frozenset({"transaction"}), frozenset(), loose=True)
_REPORT_FIELDS = {"rentity_id": "reporting_entity", "report_code": "report_code",
                  "entity_reference": "report_id", "currency_code_local": "currency"}
_PARTY_OTHERS = ("reason", "role", "significance", "is_suspected", "comments")
_PARTIES = "report/activity/report_parties/report_party"
COLUMNS = (*GATHERED, *REPORT_COLUMNS)
_XMLNS = re.compile(r"""xmlns(?::([^\s=]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_STEP_INDEX = re.compile(r"\[\d+\]")


def read_goaml(path: Path) -> RecordBatch:
    """The report's transactions as records; a document that is not well-formed, holds a
    DTD or entities, is not a goAML ``report`` or has no transactions raises
    ``IngestError`` naming the file (and the line and element where parsing stopped)."""
    report = _Report(path)
    try:
        found = xml_records.extract(path, LAYOUT, transaction_field, transactions,
                                    report.element, report.root)
    except XmlFileError as exc:
        raise _refusal(path, exc) from None
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc
    parts = [part for part in (*found.parts, *report.parts) if part.height]
    if not parts:
        raise IngestError("ingest.goaml.no_transactions", path=path,
                          report_code=report.fields.get("report_code", UNKNOWN))
    local_currency = report.fields.pop("currency", None)
    frame = pl.concat(parts).sort(*ORDER).with_columns(
        pl.when(pl.col(PARTY_ONLY_COLUMN).is_null()).then(
            pl.col("currency").fill_null(pl.lit(local_currency, pl.String))).alias("currency"),
        *(pl.lit(report.fields.get(c), pl.String).alias(c) for c in REPORT_COLUMNS),
    ).select(COLUMNS)
    return RecordBatch(FORMAT, frame, found.unmapped + report.unmapped)


def transactions(fields: tuple[str, ...], rows: list[object], prefixes: list[str],
                 contexts: Mapping[int, dict[str, str]]) -> xml_records.Part:
    """Transactions of one shape (``xml_records.Sink``), named by their XPath."""
    width = len(fields) + 4
    frame = pl.DataFrame([
        pl.Series("seq", rows[0::width], dtype=pl.Int64),
        pl.Series("sub", [0], dtype=pl.Int64).new_from_index(0, len(rows) // width),
        pl.Series(SOURCE_REF, rows[2::width], dtype=pl.Int64),
        *(pl.Series(f"v{i}", rows[i + 4::width], dtype=pl.String)
          for i in range(len(fields))),
    ]).with_columns(pl.format("/report/transaction[{}]", SOURCE_REF).alias(SOURCE_REF))
    return resolve(fields, frame)


class _Report:
    """The report's own elements, as ``xml_records`` hands them over: its fields, its
    parties (and empty ``<transaction/>``), its elements not read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fields: dict[str, str] = {}
        self.unmapped: Counter[str] = Counter()
        self.parts: list[pl.DataFrame] = []
        self.rank = 0

    def root(self, qname: str, attributes: str) -> None:
        """A goAML report is a ``<report>`` in no namespace."""
        prefix, _, name = qname.rpartition(":")
        declared = {found[0]: found[1] or found[2] for found in _XMLNS.findall(attributes)}
        namespace = xml_records.unescape(declared.get(prefix, ""))
        if namespace:
            raise IngestError("ingest.goaml.namespace", path=self.path, root=name,
                              namespace=namespace)
        if qname != "report":
            raise IngestError("ingest.goaml.not_report", path=self.path, root=qname)

    def element(self, text: str, index: int, records: int) -> None:
        """One child of ``<report>`` other than a transaction (``xml_records.Loose``)."""
        found = leaves(text)
        tag = found[0].path[0]
        if tag == "transaction":  # <transaction/>: a record with nothing in it
            self._rows((), [()], records, {SOURCE_REF: [f"/report/transaction[{index}]"],
                                           "sub": [self._rank()]})
        elif tag == "activity":
            self._activity(text, records)
        elif tag in _REPORT_FIELDS and len(found) == 1 and len(found[0].path) == 1 and (
                value := clean_text(found[0].text)) is not None:
            self.fields[_REPORT_FIELDS[tag]] = value
        else:
            self._count(found, "report")

    def _count(self, found: list[xml_records.Leaf], parent: str) -> None:
        for leaf in found:
            if clean_text(leaf.text) is not None:
                self.unmapped["/".join((parent, *leaf.path))] += 1

    def _activity(self, text: str, records: int) -> None:
        """One party-only record per ``report_party`` of an activity report; its other
        elements (goods and services...) counted as unmapped."""
        number = 0
        shapes: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        given: dict[tuple[str, ...], dict[str, list[object]]] = {}
        for child in children(text):
            if (found := leaves(child))[0].path[0] != "report_parties":
                self._count(found, "report/activity")
                continue
            for party in children(child):
                found = leaves(party)
                if found[0].path[0] != "report_party":
                    self._count(found, "report/activity/report_parties")
                    continue
                number += 1
                fields = tuple(_party_field(leaf.path[1:]) for leaf in found)
                shapes.setdefault(fields, []).append(tuple(leaf.text for leaf in found))
                fixed = given.setdefault(fields, {"sub": [], SOURCE_REF: [],
                                                  "transaction_id": []})
                fixed["sub"].append(self._rank())
                fixed[SOURCE_REF].append(f"/{_PARTIES}[{number}]")
                fixed["transaction_id"].append(
                    f"{self.fields.get('report_id') or 'report'}/party[{number}]")
        for fields, rows in shapes.items():
            self._rows(fields, rows, records, {**given[fields], PARTY_ONLY_COLUMN: ["true"]
                                               * len(rows)})

    def _rank(self) -> int:
        """The next rank among the rows read here (``goaml_columns.ORDER``)."""
        self.rank += 1
        return self.rank

    def _rows(self, fields: tuple[str, ...], rows: list[tuple[str, ...]], records: int,
              fixed: dict[str, list[object]]) -> None:
        frame = pl.DataFrame({
            "seq": [records] * len(rows),
            **{f"v{i}": [row[i] for row in rows] for i in range(len(fields))}, **fixed,
        }, schema_overrides={"sub": pl.Int64, **{f"v{i}": pl.String
                                                for i in range(len(fields))}})
        part, unmapped = resolve(fields, frame)
        self.parts.append(part)
        self.unmapped.update(unmapped)


def _party_field(path: tuple[str, ...]) -> str:
    """What a leaf of a ``<report_party>`` is (see ``goaml_columns``): a transaction's
    side, one per party, but for its reason (the purpose) and what says its role."""
    if not path:
        return IGNORED
    if path == ("reason",):
        return "t|purpose"
    key = "/".join((path[0].removesuffix("_my_client"), *path[1:]))
    if path[0] not in _PARTY_OTHERS and key in SIDE_KEYS:
        return f"s|0|originator|{key}"
    return "u|" + "/".join((_PARTIES, *path))


def _refusal(path: Path, error: XmlFileError) -> IngestError:
    if error.kind == "unsafe":
        return IngestError("ingest.xml.forbidden", path=path, detail=error.detail)
    if error.kind == "malformed":
        steps = error.xpath.split("/")
        xpath = "/".join(step if index == 2 and step.startswith("transaction[")
                         else _STEP_INDEX.sub("", step) for index, step in enumerate(steps))
        return IngestError("ingest.xml.not_well_formed", path=path, line=error.line,
                           column=max(error.column - 1, 0), xpath=xpath or "/",
                           detail=error.detail)
    return xml_records.refuse(path, error)
