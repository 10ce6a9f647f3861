"""ISO 20022 payment messages (pacs.008, pacs.009 and COV, pacs.004, pain.001, camt.052/053/054)
-> one record per transaction with the canonical columns, values as the file writes them.

Which element is read into which column, and why:

- **Parties.** The originator is the ultimate debtor when the message names one, else the
  debtor (in a pacs.009 COV, the underlying customer transfer's ultimate debtor or debtor
  before the covering banks); the beneficiary likewise with the ultimate creditor and the
  creditor. The ultimate party is who the money is really from or for, so it is the one
  screened; its birth date, identifier, country and phone come with it (a name is never
  paired with another party's birth date). When it differs from the account holder, the
  holder's name stays in ``originator_account_holder`` / ``beneficiary_account_holder``.
  Accounts (IBAN, else ``Othr/Id``) and banks (``DbtrAgt``/``CdtrAgt`` BIC, else the
  instructing/instructed agent) are the debtor's and creditor's. The country is the
  party's postal country, else its country of residence, else the IBAN's country.
- **Returns (pacs.004).** The return chain's debtor pays the return back to its creditor
  (the original creditor and debtor); without a return chain, the original transaction's
  creditor is the originator of the return and its debtor the beneficiary.
- **Statements (camt).** A ``TxDtls`` is a record (an entry without details is one
  itself): its related parties, else the statement's account owner on the side the
  entry's credit/debit mark puts it (a debit is paid out of the account).
- **Ids, amounts, dates.** ``transaction_id``: UETR, return id, ``TxId``, ``EndToEndId``
  (unless ``NOTPROVIDED``), ``InstrId``, then the servicer's and entry references.
  ``amount``/``currency``: interbank settlement amount, instructed amount, equivalent
  amount, transaction amount of a statement's details, entry amount. ``booked_at``:
  interbank settlement date, requested execution date, booking date, value date.
  ``purpose``: unstructured remittance lines joined, else additional information.
  ``channel``: the message (``pacs.008``, ``pacs.009 COV``...).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, partial
from pathlib import Path
from typing import Final

import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest import xml_records
from aml_screen.ingest.records import AGENT_COLUMNS, SOURCE_REF, RecordBatch
from aml_screen.ingest.xml_records import Layout, XmlFileError
from aml_screen.schema import PARTY_SCHEMA, TRANSACTION_SCHEMA

FORMAT: Final = "iso20022"
HEAD: Final = 1 << 20
"""Bytes read to find the message namespace (after any business application header)."""

_MESSAGE = re.compile(r"\b([a-z]{4}\.\d{3})\.\d{3}\.\d{2}")
_NAMESPACE = re.compile(r"""xmlns(?::[\w.-]+)?\s*=\s*["']([^"']*)["']""")
_ROOT = re.compile(r"<(?:[\w.-]+:)?(Document|AppHdr|BizMsg|Envelope)[\s>/]")
_CCY = r"""Ccy\s*=\s*["']([^"']*)["']"""

LAYOUTS: Final = {
    "pacs.008": Layout(frozenset({"CdtTrfTxInf"}), frozenset({"FIToFICstmrCdtTrf"})),
    "pacs.009": Layout(frozenset({"CdtTrfTxInf"}), frozenset({"FICdtTrf"})),
    "pacs.004": Layout(frozenset({"TxInf"}), frozenset({"PmtRtr"})),
    "pain.001": Layout(frozenset({"CdtTrfTxInf"}),
                       frozenset({"CstmrCdtTrfInitn", "PmtInf"})),
    **{
        message: Layout(frozenset({"TxDtls"}),
                        frozenset({root, report, "Ntry", "NtryDtls"}), frozenset({"Ntry"}))
        for message, root, report in (
            ("camt.052", "BkToCstmrAcctRpt", "Rpt"),
            ("camt.053", "BkToCstmrStmt", "Stmt"),
            ("camt.054", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
        )
    },
}
"""The messages read: records and contexts (see ``xml_records``) of each."""
STATUS_REPORTS: Final = ("pacs.002", "pain.002", "camt.029")
"""Messages about payments that carry none: refused with a reason of their own."""

_ROLES = {"o": "originator", "b": "beneficiary"}
_PARTIES: Final = {
    "UltmtDbtr": ("o", 1), "UndrlygCstmrCdtTrf/UltmtDbtr": ("o", 2),
    "UndrlygCstmrCdtTrf/Dbtr": ("o", 3), "Dbtr": ("o", 4),
    "RltdPties/UltmtDbtr": ("o", 1), "RltdPties/Dbtr": ("o", 4),
    "RtrChain/UltmtDbtr": ("o", 1), "RtrChain/Dbtr": ("o", 4),
    "OrgnlTxRef/UltmtCdtr": ("o", 5), "OrgnlTxRef/Cdtr": ("o", 6),
    "UltmtCdtr": ("b", 1), "UndrlygCstmrCdtTrf/UltmtCdtr": ("b", 2),
    "UndrlygCstmrCdtTrf/Cdtr": ("b", 3), "Cdtr": ("b", 4),
    "RltdPties/UltmtCdtr": ("b", 1), "RltdPties/Cdtr": ("b", 4),
    "RtrChain/UltmtCdtr": ("b", 1), "RtrChain/Cdtr": ("b", 4),
    "OrgnlTxRef/UltmtDbtr": ("b", 5), "OrgnlTxRef/Dbtr": ("b", 6),
}
"""Party elements -> (role, rank): the lowest rank named in a record is the one screened."""
_PARTY_FIELDS = {
    "Nm": "name", "PstlAdr/Ctry": "country", "CtryOfRes": "residence",
    "Id/PrvtId/DtAndPlcOfBirth/BirthDt": "birth", "Id/PrvtId/Othr/Id": "idnum",
    "Id/OrgId/Othr/Id": "idnum", "CtctDtls/MobNb": "mobile", "CtctDtls/PhneNb": "phone",
    "FinInstnId/BICFI": "fibic", "FinInstnId/BIC": "fibic", "FinInstnId/Nm": "name",
}
_ACCOUNT_FIELDS = {"Id/IBAN": "iban", "Id/Othr/Id": "acct"}
_AGENT_FIELDS = {"FinInstnId/BICFI": "agent", "FinInstnId/BIC": "agent"}


def _field_map() -> dict[str, str]:
    fields: dict[str, str] = {}
    for party, (role, rank) in _PARTIES.items():
        for path, name in _PARTY_FIELDS.items():
            fields[f"{party}/{path}"] = f"{role}{rank}.{name}"
        side = party.rpartition("/")[0]
        stem = party.rpartition("/")[2].removeprefix("Ultmt")
        if not party.rpartition("/")[2].startswith("Ultmt"):
            prefix = f"{side}/" if side else ""
            agents = "RltdAgts/" if side == "RltdPties" else prefix
            for path, name in _ACCOUNT_FIELDS.items():
                fields[f"{prefix}{stem}Acct/{path}"] = f"{role}{rank}.{name}"
            for path, name in _AGENT_FIELDS.items():
                fields[f"{agents}{stem}Agt/{path}"] = f"{role}{rank}.{name}"
    for agent, role in (("InstgAgt", "o"), ("InstdAgt", "b")):
        for path, name in _AGENT_FIELDS.items():
            fields[f"{agent}/{path}"] = f"{role}9.{name}"
    for path, name in {
        "Acct/Id/IBAN": "iban", "Acct/Id/Othr/Id": "acct", "Acct/Ownr/Nm": "name",
        "Acct/Ownr/PstlAdr/Ctry": "country", "Acct/Svcr/FinInstnId/BICFI": "fibic",
        "Acct/Svcr/FinInstnId/BIC": "fibic",
    }.items():
        fields[path] = f"own.{name}"
    for refs in ("PmtId", "Refs"):
        for path, name in {"UETR": "uetr", "TxId": "txid", "EndToEndId": "e2e",
                           "InstrId": "instr"}.items():
            fields[f"{refs}/{path}"] = f"id.{name}"
    fields.update({
        "RtrId": "id.rtr", "Refs/AcctSvcrRef": "id.svcref", "AcctSvcrRef": "id.svcref",
        "NtryRef": "id.ntryref",
        "IntrBkSttlmAmt": "amount1", "RtrdIntrBkSttlmAmt": "amount1",
        "InstdAmt": "amount2", "Amt/InstdAmt": "amount2", "Amt/EqvtAmt/Amt": "amount3",
        "AmtDtls/TxAmt/Amt": "amount4", "AmtDtls/InstdAmt/Amt": "amount4", "Amt": "amount5",
        "UndrlygCstmrCdtTrf/InstdAmt": "amount6",
        "IntrBkSttlmDt": "date.sttl", "GrpHdr/IntrBkSttlmDt": "date.sttl",
        "RltdDts/IntrBkSttlmDt": "date.sttl", "ReqdExctnDt": "date.exec",
        "ReqdExctnDt/Dt": "date.exec", "ReqdExctnDt/DtTm": "date.exec",
        "BookgDt/Dt": "date.book", "BookgDt/DtTm": "date.book",
        "ValDt/Dt": "date.val", "ValDt/DtTm": "date.val",
        "CdtDbtInd": "cdi",
        "RmtInf/Ustrd": "purpose.ustrd", "UndrlygCstmrCdtTrf/RmtInf/Ustrd": "purpose.ustrd",
        "AddtlTxInf": "purpose.addtx", "AddtlNtryInf": "purpose.addntry",
    })
    return fields


FIELDS: Final = _field_map()
"""Leaf path (from the record or context element, ``Pty``/``Agt`` choice steps left out)
-> field read."""
_PARTY_STEPS = frozenset(p.rpartition("/")[2] for p in _PARTIES)


def _field(path: tuple[str, ...], child: int = -1) -> str | None:
    """The field a leaf is read into (wherever it is among the record's children): a camt
    or pacs.004 party given as ``Dbtr/Pty/Nm`` (or a bank, ``Dbtr/Agt/FinInstnId``) reads
    like ``Dbtr/Nm``."""
    steps = [step for index, step in enumerate(path)
             if not (step in ("Pty", "Agt") and index and path[index - 1] in _PARTY_STEPS)]
    return FIELDS.get("/".join(steps))


def sniff_iso20022(head: bytes) -> bool:
    """Whether the start of a file is an ISO 20022 message: XML with an ISO 20022 message
    namespace (``urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08``, a national variant
    such as ``…/pain.001.001.03.ch.02.xsd``), with or without the business application
    header envelope, or an XML ``Document`` (read to say what namespace is wrong)."""
    text = _decode(head)
    if not text.lstrip().startswith("<"):
        return False
    if any(_MESSAGE.search(ns) for ns in _NAMESPACE.findall(text)):
        return True
    return bool(_ROOT.search(text))


def _decode(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8-sig", errors="ignore")


def message_of(head: bytes) -> str | None:
    """The message (``pacs.008``…) named by the first non-header namespace, if any."""
    for namespace in _NAMESPACE.findall(_decode(head)):
        found = _MESSAGE.search(namespace)
        if found and not found.group(1).startswith("head."):
            return found.group(1)
    return None


def read_iso20022(path: Path) -> RecordBatch:
    """The transactions of the ISO 20022 message file at ``path``.

    Raises ``IngestError`` (one line, English and French) for a file that is not one:
    not well-formed (file, line, column and XPath), declaring a DTD or entities (an XML
    bomb), without an ISO 20022 message namespace, a status report (pacs.002), a
    message carrying no transaction, or a transaction element over 64 MB."""
    try:
        with path.open("rb") as source:
            head = source.read(HEAD)
    except OSError as exc:
        raise IngestError("intake.unreadable", path=str(path),
                          detail=exc.strerror or str(exc)) from None
    message = message_of(head)
    if message is None:
        text = _decode(head)
        namespaces = ", ".join(dict.fromkeys(_NAMESPACE.findall(text))) or "-"
        raise IngestError("intake.iso20022.no_namespace", path=str(path),
                          namespaces=namespaces)
    if message in STATUS_REPORTS:
        raise IngestError("intake.iso20022.status_report", path=str(path), message=message)
    layout = LAYOUTS.get(message)
    if layout is None:
        raise IngestError("intake.iso20022.unsupported", path=str(path), message=message,
                          supported=", ".join(LAYOUTS))
    try:
        found = xml_records.extract(path, layout, _field, partial(_part, message))
    except XmlFileError as exc:
        raise xml_records.refuse(path, exc) from None
    except OSError as exc:
        raise IngestError("intake.unreadable", path=str(path),
                          detail=exc.strerror or str(exc)) from None
    if not found.records:
        raise IngestError("intake.iso20022.no_transactions", path=str(path), message=message,
                          element=" / ".join(sorted(layout.records)))
    return RecordBatch(FORMAT, records_frame(found.parts), found.unmapped)


def _part(message: str, fields: tuple[str, ...], rows: list[object], prefixes: list[str],
          contexts: Mapping[int, dict[str, str]]) -> xml_records.Part:
    return resolved_part(_group_frame(fields, rows, prefixes), contexts, message), Counter()


# -- from extracted rows to canonical columns -------------------------------------------
def resolved_part(part: pl.DataFrame, contexts: Mapping[int, dict[str, str]],
                  message: str) -> pl.DataFrame:
    """Records of one shape (``_group_frame``) with their contexts' values, resolved into
    the canonical columns (plus ``seq``, their place in the file). Pure: no I/O."""
    columns = set(part.columns)
    ids = part.get_column("context").unique().to_list()
    referenced = [{f"c:{k}": v for k, v in contexts[i].items()} for i in ids]
    if any(referenced):
        table = pl.from_dicts(referenced, infer_schema_length=None)
        table = table.select(pl.Series("context", ids, dtype=pl.Int64), *(
            _clean(pl.col(name)).alias(name) for name in table.columns))
        part = part.join(table, on="context", how="left")
        columns |= set(table.columns)
    return part.select("seq", *_canonical(frozenset(columns), message))


def records_frame(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The resolved parts as one frame in file order, KYC and holder columns only where
    the file gave any. Pure: no I/O."""
    frame = _unescape(pl.concat(parts).sort("seq").drop("seq"))
    kyc = [name for name in PARTY_SCHEMA if frame.get_column(name).null_count() < frame.height]
    holders = [name for name in _HOLDERS if frame.get_column(name).null_count() < frame.height]
    return frame.select(*TRANSACTION_COLUMNS, *kyc, *AGENT_COLUMNS, *holders, SOURCE_REF)


TRANSACTION_COLUMNS: Final = tuple(
    name for name in TRANSACTION_SCHEMA if name not in ("source_file", "source_line"))
_HOLDERS: Final = ("originator_account_holder", "beneficiary_account_holder")


def _group_frame(fields: tuple[str, ...], rows: list[object],
                 prefixes: list[str]) -> pl.DataFrame:
    """Rows of one field set: values of a repeated field (remittance lines) joined."""
    width = len(fields) + 4
    head = {"seq": pl.Int64(), "prefix": pl.UInt32(), "index": pl.Int64(),
            "context": pl.Int64()}
    columns = [pl.Series(name, rows[i::width], dtype=dtype)
               for i, (name, dtype) in enumerate(head.items())]
    columns += [pl.Series(f"v{i}", rows[i + 4::width], dtype=pl.String)
                for i in range(len(fields))]
    by_field: dict[str, list[str]] = {}
    for i, name in enumerate(fields):
        by_field.setdefault(name, []).append(f"v{i}")
    prefix = pl.lit(pl.Series(prefixes, dtype=pl.String)).gather(pl.col("prefix"))
    return pl.DataFrame(columns).select(
        "seq", "context", pl.format("{}[{}]", prefix, "index").alias(SOURCE_REF),
        *(pl.concat_str([_clean(pl.col(p)) for p in names], separator=" ",
                        ignore_nulls=True).alias(f"r:{name}")
          if len(names) > 1 else _clean(pl.col(names[0])).alias(f"r:{name}")
          for name, names in by_field.items()),
    )


def _clean(value: pl.Expr) -> pl.Expr:
    stripped = value.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _unescape(frame: pl.DataFrame) -> pl.DataFrame:
    """Entity and character references resolved, in the (few) columns holding any."""
    return frame.with_columns(
        xml_records.unescaped(frame.get_column(name)) for name, dtype in frame.schema.items()
        if dtype == pl.String and name != SOURCE_REF)


@lru_cache(maxsize=1024)
def _canonical(columns: frozenset[str], message: str) -> list[pl.Expr]:
    """The canonical columns from the fields of one shape: built once per shape (a
    pacs.008 file has a few dozen), not at every hand-over of its rows."""
    def value(name: str) -> pl.Expr:
        found = [pl.col(f"{level}:{name}") for level in ("r", "c")
                 if f"{level}:{name}" in columns]
        return pl.coalesce(found) if found else pl.lit(None, dtype=pl.String)

    def first(names: Iterable[str]) -> pl.Expr:
        return pl.coalesce([value(name) for name in names])

    e2e = value("id.e2e")
    amounts = [f"amount{rank}" for rank in range(1, 7)]
    currency: pl.Expr = pl.lit(None, dtype=pl.String)
    for rank in reversed(range(1, 7)):
        currency = pl.when(value(f"amount{rank}").is_not_null()).then(
            value(f"currency{rank}").str.extract(_CCY)).otherwise(currency)
    cov = pl.any_horizontal(value(f"{role}{rank}.name").is_not_null()
                            for role in "ob" for rank in (2, 3))
    channel = (pl.when(cov).then(pl.lit(f"{message} COV")).otherwise(pl.lit(message))
               if message == "pacs.009" else pl.lit(message))
    return [
        first(["id.uetr", "id.rtr", "id.txid"]).fill_null(
            pl.when(e2e != "NOTPROVIDED").then(e2e)).fill_null(
            first(["id.instr", "id.svcref", "id.ntryref"])).alias("transaction_id"),
        first(["date.sttl", "date.exec", "date.book", "date.val"]).alias("booked_at"),
        first(amounts).alias("amount"),
        currency.alias("currency"),
        *_party("o", value), *_party("b", value),
        channel.alias("channel"),
        first(["purpose.ustrd", "purpose.addtx", "purpose.addntry"]).alias("purpose"),
        pl.col(SOURCE_REF),
    ]


def _party(role: str, get: Callable[[str], pl.Expr]) -> list[pl.Expr]:
    """Name, account, country, KYC and bank of one side: every attribute from the same
    party (the first rank that is named)."""
    ranks = sorted({rank for r, rank in _PARTIES.values() if r == role})
    column = _ROLES[role]
    own = pl.lit("DBIT" if role == "o" else "CRDT")
    is_own_side = get("cdi") == own

    def chosen(attribute: str) -> pl.Expr:
        result: pl.Expr = pl.when(is_own_side & get("own.name").is_not_null()).then(
            get(f"own.{attribute}") if attribute in ("name", "country") else
            pl.lit(None, dtype=pl.String)).otherwise(pl.lit(None, dtype=pl.String))
        for rank in reversed(ranks):
            result = pl.when(get(f"{role}{rank}.name").is_not_null()).then(
                get(f"{role}{rank}.{attribute}")).otherwise(result)
        return result

    accounts = [get(f"{role}{rank}.{kind}") for rank in ranks for kind in ("iban", "acct")]
    accounts += [pl.when(is_own_side).then(pl.coalesce(get("own.iban"), get("own.acct")))]
    account = pl.coalesce(accounts)
    iban_country = pl.when(account.str.contains(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,}$")).then(
        account.str.slice(0, 2))
    banks = [get(f"{role}{rank}.agent") for rank in ranks if rank != 9]
    banks += [get(f"{role}{rank}.fibic") for rank in ranks]
    banks += [pl.when(is_own_side).then(get("own.fibic")), get(f"{role}9.agent")]
    name = chosen("name")
    holder = pl.coalesce([get(f"{role}{rank}.name") for rank in (3, 4)])
    return [
        name.alias(f"{column}_name"),
        account.alias(f"{column}_account"),
        pl.coalesce(chosen("country"), chosen("residence"), iban_country).alias(
            f"{column}_country"),
        chosen("birth").alias(f"{column}_birth_date"),
        pl.lit(None, dtype=pl.String).alias(f"{column}_nationality"),
        chosen("idnum").alias(f"{column}_id_number"),
        pl.coalesce(chosen("mobile"), chosen("phone")).alias(f"{column}_phone"),
        pl.coalesce(banks).alias(f"{column}_bic"),
        pl.when(holder != name).then(holder).alias(f"{column}_account_holder"),
    ]
