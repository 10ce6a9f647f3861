"""SWIFT MT messages (MT103, MT202/MT202COV, MT940/MT950) -> one record per transaction.

A file holds FIN messages (``{1:…}{2:…}{3:…}{4:\\r\\n…\\r\\n-}{5:…}``), one after the other
or as an RJE batch separated by ``$``; ACK/NAK service messages (``{1:F21…}``) are skipped
and counted, and so is every message of a type not read here. Banks' statement exports
without FIN headers (``:20:`` … ``-`` blocks) are read too.

- **MT103** (and the customer part of an **MT202COV**): ``:20:`` -> ``transaction_id``;
  ``:32A:`` value date (YYMMDD, years 00-79 in the 2000s), currency and amount (decimal
  comma made a point) -> ``booked_at``, ``currency``, ``amount``; ``:50A/F/K:`` ordering
  customer -> ``originator_*`` (account line ``/…``; 50K name and address lines; 50F
  ``1/`` name, ``2/`` address, ``3/CC/town`` country, ``4/`` birth date, ``6/`` and ``7/``
  or a ``CCPT``/``NIDN`` identifier -> id number and nationality; 50A's BIC -> id number);
  ``:59:/59A:/59F:`` -> ``beneficiary_*`` likewise; ``:52A:`` ordering institution, else
  the sender (block 1 or 2) -> ``originator_bic``; ``:57A:``, else the receiver ->
  ``beneficiary_bic``; ``:70:`` -> ``purpose``; IBAN accounts give the country when the
  address does not.
- **MT202**: the banks: ``:52A:`` (else the sender) -> ``originator_bic``, ``:58A:``
  beneficiary institution (its ``/account`` -> ``beneficiary_account``) ->
  ``beneficiary_bic``.
- **MT940/MT950**: each ``:61:`` statement line is a record: value date, debit/credit
  mark, amount, reference (the account owner's unless ``NONREF``, else the bank's); the
  ``:25:`` account is the originator of a debit and the beneficiary of a credit, and the
  counterparty read from the line's ``:86:`` (``?32``/``?33`` name, ``?31`` account,
  ``?20``-``?29`` purpose, or ``/ORDP/``, ``/BENM/``, ``/NAME/``, ``/REMI/`` codes, else
  the whole text as purpose) is the other side.

A message without ``:32A:`` is kept (no amount, no date) so that validation quarantines it
under its ``source_ref``: ``MT103 :20:REF123 (message 3)``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest.encoding import decode
from aml_screen.ingest.records import AGENT_COLUMNS, SOURCE_REF, RecordBatch
from aml_screen.schema import PARTY_SCHEMA, TRANSACTION_SCHEMA

FORMAT: Final = "swift"
READ_TYPES: Final = ("103", "202", "940", "950")

_BLOCK_START = re.compile(r"\{([1-5S]):")
_TEXT_END = re.compile(r"(?:\r?\n)?-\}(?=[{$\s]|\Z)")
"""End of a text block 4: ``-}`` on its own line (some writers put it after the last
field's text), followed by the next block, an RJE ``$``, a line break or the end."""
_FIELD = re.compile(r"^:(\d{2}[A-Z]?):", re.MULTILINE)
_SNIFF = re.compile(r"\A[\s$]*(?:\{1:[FAL]\d{2}[A-Z0-9]{12}|:20:)")
_STATEMENT_LINE = re.compile(
    r"(\d{6})(\d{4})?(R?[CD])([A-Z])?(\d[\d,]*)([A-Z][A-Z0-9]{3})([^/\n]*)"
    r"(?://([^\n]*))?(?:\n(.*))?", re.DOTALL)
_GVC_FIELD = re.compile(r"\?(\d{2})")
_SLASH_CODE = re.compile(r"/([A-Z]{4})/")
_BIC = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$")


def sniff_swift_mt(head: bytes) -> bool:
    """Whether the start of a file is SWIFT MT: a FIN basic header block ``{1:F01…``
    (after any RJE ``$``), or a statement export starting with ``:20:``."""
    return bool(_SNIFF.match(head.decode("latin-1")))


@dataclass
class Message:
    """One FIN message: its blocks (block 4 as text) and place in the file."""

    number: int
    blocks: dict[str, str] = field(default_factory=dict)

    @property
    def service(self) -> bool:
        return self.blocks.get("1", "")[1:3] == "21"

    @property
    def type(self) -> str:
        header = self.blocks.get("2", "")
        return header[1:4] if header[:1] in ("I", "O") else ""

    def tag(self, name: str) -> str | None:
        found = re.search(r"\{" + name + r":([^}]*)\}", self.blocks.get("3", ""))
        return found.group(1) if found else None


def _blocks(text: str, start: int) -> tuple[dict[str, str], int]:
    """The blocks of the message starting at ``start`` (a ``{1:``), and where it ends."""
    blocks: dict[str, str] = {}
    position = start
    while True:
        found = _BLOCK_START.match(text, position)
        if found is None or (found.group(1) == "1" and blocks):
            return blocks, position
        name, body = found.group(1), found.end()
        if name == "4" and not text.startswith("{", body):
            end = _TEXT_END.search(text, body)
            stop = end.start() if end else len(text)
            blocks[name] = text[body:stop].strip("\r\n")
            position = end.end() if end else len(text)
        else:
            depth, cursor = 1, body
            while depth and cursor < len(text):
                depth += {"{": 1, "}": -1}.get(text[cursor], 0)
                cursor += 1
            blocks[name] = text[body:cursor - 1]
            position = cursor
        while position < len(text) and text[position] in " \t\r\n":
            position += 1


def messages(text: str) -> list[Message]:
    """Every message of a FIN or RJE file (text between messages, such as RJE's ``$``, is
    skipped); a file of bare ``:20:`` blocks gives one message per ``-`` separated block."""
    found: list[Message] = []
    position = text.find("{1:")
    while position >= 0:
        blocks, end = _blocks(text, position)
        found.append(Message(len(found) + 1, blocks))
        position = text.find("{1:", max(end, position + 1))
    if found or not _SNIFF.match(text):
        return found
    for number, body in enumerate(
            (part.strip("\r\n") for part in re.split(r"(?m)^-\s*$", text) if part.strip()),
            start=1):
        found.append(Message(number, {"4": body}))
    return found


def fields(body: str) -> list[tuple[str, str]]:
    """(tag, value) of block 4's fields in order; a value keeps its continuation lines."""
    starts = list(_FIELD.finditer(body))
    return [
        (match.group(1),
         body[match.end():starts[i + 1].start() if i + 1 < len(starts) else len(body)]
         .replace("\r\n", "\n").rstrip("\n"))
        for i, match in enumerate(starts)
    ]


def _bic(lt_address: str) -> str | None:
    """BIC of a 12-character logical terminal address (the terminal code dropped)."""
    if len(lt_address) < 12:
        return None
    bic = lt_address[:8] + lt_address[9:12]
    return bic if _BIC.match(bic) else None


def _sender_receiver(message: Message) -> tuple[str | None, str | None]:
    basic = message.blocks.get("1", "")[3:15]
    application = message.blocks.get("2", "")
    if application.startswith("O"):
        return _bic(application[14:26]), _bic(basic)
    return _bic(basic), _bic(application[4:16])


def iso_date(yymmdd: str) -> str:
    """``190425`` -> ``2019-04-25`` (years 00-79 in the 2000s, as SWIFT dates run);
    anything else is returned as written, for validation to judge."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return yymmdd
    century = "20" if int(yymmdd[:2]) < 80 else "19"
    return f"{century}{yymmdd[:2]}-{yymmdd[2:4]}-{yymmdd[4:]}"


def amount_text(swift: str) -> str:
    """``1234,56`` -> ``1234.56``; ``3700,`` -> ``3700``."""
    whole, _, decimals = swift.partition(",")
    return f"{whole}.{decimals}" if decimals else whole


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.split("\n") if line.strip()]


def party(option: str, value: str) -> dict[str, str]:
    """Name, account, country, birth date, id and nationality of a 50a/59a field."""
    lines = _lines(value)
    found: dict[str, str] = {}
    if lines and lines[0].startswith("/"):
        found["account"] = lines.pop(0).lstrip("/")
    if option == "A":
        if lines:
            found["id_number"] = lines[-1]
        return found
    if option != "F":
        if lines:
            found["name"] = lines[0]
        return found
    if lines and not re.match(r"\d/", lines[0]):  # party identifier: CODE/CC/identifier
        code, _, rest = lines.pop(0).partition("/")
        country, _, number = rest.partition("/")
        if code in ("CCPT", "NIDN") and number:
            found["id_number"], found["nationality"] = number, country
        elif number:
            found["id_number"] = number
    names: list[str] = []
    for line in lines:
        number, _, text = line.partition("/")
        if number == "1":
            names.append(text)
        elif number == "3":
            found.setdefault("country", text[:2])
        elif number == "4":
            found["birth_date"] = (f"{text[:4]}-{text[4:6]}-{text[6:8]}"
                                   if len(text) == 8 and text.isdigit() else text)
        elif number in ("6", "7"):
            country, _, identifier = text.partition("/")
            found["id_number"] = identifier.rpartition("/")[2] or text
            if number == "7":
                found.setdefault("nationality", country)
    if names:
        found["name"] = " ".join(names)
    return found


def _bank(value: str) -> str | None:
    lines = _lines(value)
    return lines[-1] if lines and _BIC.match(lines[-1]) else None


def _country(found: dict[str, str]) -> str | None:
    account = found.get("account", "").replace(" ", "")
    return found.get("country") or (account[:2] if _IBAN.match(account) else None)


def _side(role: str, found: dict[str, str]) -> dict[str, str | None]:
    return {
        f"{role}_name": found.get("name"), f"{role}_account": found.get("account"),
        f"{role}_country": _country(found), f"{role}_birth_date": found.get("birth_date"),
        f"{role}_nationality": found.get("nationality"),
        f"{role}_id_number": found.get("id_number"),
    }


def transfer(message: Message, kind: str, unmapped: Counter[str]) -> dict[str, str | None]:
    """The record of an MT103, MT202 or MT202COV."""
    sender, receiver = _sender_receiver(message)
    record: dict[str, str | None] = {"channel": f"MT{kind}"}
    banks: dict[str, str | None] = {}
    purpose: list[str] = []
    reference = None
    for tag, value in fields(message.blocks.get("4", "")):
        first = value.strip()
        if tag == "20":
            reference = first
        elif tag == "32A" and "booked_at" not in record:
            record["booked_at"] = iso_date(first[:6])
            record["currency"] = first[6:9]
            record["amount"] = amount_text(first[9:])
        elif tag[:2] in ("50", "59") and tag[2:] in ("", "A", "F", "K"):
            role = "originator" if tag[:2] == "50" else "beneficiary"
            record.update(_side(role, party(tag[2:] or "K", value)))
        elif tag in ("52A", "57A", "58A") and tag not in banks:
            banks[tag] = _bank(value)
            lines = _lines(value)
            if tag == "58A" and lines and lines[0].startswith("/"):
                record.setdefault("beneficiary_account", lines[0].lstrip("/"))
        elif tag == "70":
            purpose += _lines(value)
        else:
            unmapped[f"MT{kind} :{tag}:"] += 1
    record["transaction_id"] = reference
    record["purpose"] = " ".join(purpose) or None
    record["originator_bic"] = banks.get("52A") or sender
    record["beneficiary_bic"] = banks.get("58A") or banks.get("57A") or receiver
    record[SOURCE_REF] = f"MT{kind} :20:{reference} (message {message.number})"
    return record


def statement(message: Message, kind: str, unmapped: Counter[str]) -> list[dict[str, str | None]]:
    """One record per ``:61:`` line of an MT940/MT950, with its ``:86:``."""
    reference = account = currency = None
    lines: list[tuple[str, str | None]] = []
    for tag, value in fields(message.blocks.get("4", "")):
        if tag == "20":
            reference = value.strip()
        elif tag in ("25", "25P"):
            account = _lines(value)[0] if _lines(value) else None
        elif tag in ("60F", "60M"):
            currency = value.strip()[7:10]
        elif tag == "61":
            lines.append((value, None))
        elif tag == "86" and lines and lines[-1][1] is None:
            lines[-1] = (lines[-1][0], value)
        else:
            unmapped[f"MT{kind} :{tag}:"] += 1
    sender, _receiver = _sender_receiver(message)
    records = []
    for number, (line, details) in enumerate(lines, start=1):
        record = _statement_line(line, details)
        debit = record.pop("mark", "") in ("D", "RC")
        own, other = ("originator", "beneficiary") if debit else ("beneficiary", "originator")
        counterparty = _counterparty(details)
        record.update({
            "currency": currency, "channel": f"MT{kind}",
            f"{own}_account": account, f"{own}_bic": sender,
            f"{own}_country": _country({"account": account or ""}),
            f"{other}_name": counterparty.get("name"),
            f"{other}_account": counterparty.get("account"),
            f"{other}_country": _country(counterparty),
            "purpose": counterparty.get("purpose"),
            SOURCE_REF: f"MT{kind} :20:{reference} :61:[{number}] (message {message.number})",
        })
        record["transaction_id"] = record["transaction_id"] or f"{reference}/{number}"
        records.append(record)
    return records


def _statement_line(line: str, details: str | None) -> dict[str, str | None]:
    found = _STATEMENT_LINE.match(line.replace("\r\n", "\n").strip())
    if found is None:
        return {"transaction_id": None, "mark": None}
    value_date, _entry, mark, _funds, amount, _type, owner_ref, bank_ref, _more = (
        found.groups())
    owner_ref = owner_ref.strip()
    reference = owner_ref if owner_ref and owner_ref != "NONREF" else (bank_ref or "").strip()
    return {"transaction_id": reference or None, "booked_at": iso_date(value_date),
            "amount": amount_text(amount), "mark": mark}


def _counterparty(details: str | None) -> dict[str, str]:
    """Name, account and purpose of a ``:86:``: German ``?nn`` subfields, SWIFT
    ``/CODE/`` subfields, or free text (purpose only)."""
    if not details:
        return {}
    text = details.replace("\r\n", "\n").replace("\n", "")
    if _GVC_FIELD.search(text):
        parts: dict[str, list[str]] = {}
        pieces = _GVC_FIELD.split(text)
        for code, value in zip(pieces[1::2], pieces[2::2], strict=True):
            parts.setdefault(code, []).append(value)
        name = "".join(parts.get("32", []) + parts.get("33", [])).strip()
        purpose = " ".join(v for code in sorted(parts) if "20" <= code <= "29"
                           for v in parts[code]).strip()
        account = "".join(parts.get("31", [])).strip()
        return {key: value for key, value in
                (("name", name), ("purpose", purpose), ("account", account)) if value}
    codes = _SLASH_CODE.split(text)
    if len(codes) > 1:
        subfields = {code: value.strip() for code, value in zip(codes[1::2], codes[2::2],
                                                                  strict=True)}
        found = {"name": subfields.get("ORDP") or subfields.get("BENM")
                 or subfields.get("NAME"), "purpose": subfields.get("REMI"),
                 "account": subfields.get("IBAN") or subfields.get("ACCW")}
        return {key: value for key, value in found.items() if value}
    return {"purpose": text.strip()}


def read_swift_mt(path: Path) -> RecordBatch:
    """The transactions of the SWIFT MT file at ``path``.

    Raises ``IngestError`` when the file holds no MT message, or only messages of
    types not read here (their types named)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError("intake.unreadable", path=str(path),
                          detail=exc.strerror or str(exc)) from None
    text, _encoding = decode(raw, "auto", str(path))  # as batches: BOM, UTF-16, UTF-8, cp1252
    found = messages(text)
    if not found:
        raise IngestError("intake.swift.no_message", path=str(path))
    unmapped: Counter[str] = Counter()
    records: list[dict[str, str | None]] = []
    skipped: Counter[str] = Counter()
    for message in found:
        kind = message.type or _bare_type(message)
        if message.service:
            status = "NAK" if "{451:1}" in message.blocks.get("4", "") else "ACK"
            unmapped[f"service message {status}"] += 1
        elif kind in ("103", "202"):
            if kind == "202" and message.tag("119") == "COV":
                kind = "202COV"
            records.append(transfer(message, kind, unmapped))
        elif kind in ("940", "950"):
            records += statement(message, kind, unmapped)
        else:
            skipped[f"MT{kind or '?'}"] += 1
            unmapped[f"MT{kind or '?'} message"] += 1
    if not records:
        raise IngestError("intake.swift.no_transactions", path=str(path),
                          count=sum(skipped.values()) or len(found),
                          types=", ".join(sorted(skipped)) or "ACK/NAK")
    return RecordBatch(FORMAT, records_frame(records), unmapped)


def _bare_type(message: Message) -> str:
    """Type of a message without FIN headers, from its fields."""
    tags = {tag for tag, _value in fields(message.blocks.get("4", ""))}
    if "61" in tags:
        return "940" if "86" in tags else "950"
    if "32A" in tags:
        return "103" if tags & {"50A", "50F", "50K", "59", "59A", "59F"} else "202"
    return ""


TRANSACTION_COLUMNS: Final = tuple(
    name for name in TRANSACTION_SCHEMA if name not in ("source_file", "source_line"))


def records_frame(records: list[dict[str, str | None]]) -> pl.DataFrame:
    """The canonical text frame of message records (KYC columns only when given)."""
    kyc = [name for name in PARTY_SCHEMA if any(record.get(name) for record in records)]
    columns = (*TRANSACTION_COLUMNS, *kyc, *AGENT_COLUMNS, SOURCE_REF)
    return pl.DataFrame(
        {name: [record.get(name) or None for record in records] for name in columns},
        schema=dict.fromkeys(columns, pl.String()))
