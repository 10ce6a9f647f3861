"""A subject's activity across every stored batch: its transactions (for the alert detail's
timeline) and its counterparties (for the network picture).

A subject is an account (``subject_type`` ``account``: matched on account numbers) or a
party (matched on the names it was alerted under — the alerts' subject names and the hits'
party names for the same normalised subject — then confirmed on the normalised name, so
"IYAD AG GHALY" and "Iyad Ag Ghaly" are one subject). Reads are bounded: at most
``MAX_TRANSACTIONS`` transactions, the newest, plus the alert's own, and the caller says so
when capped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from aml_screen.names.normalise import normalise_names
from aml_screen.schema import AMOUNT_SCALE
from aml_screen.store.models import Alert, Hit, Transaction

MAX_TRANSACTIONS = 1000
"""Transactions drawn on the alert page at most, the newest (the subject's profile pages
through them all)."""
MAX_COUNTERPARTIES = 50
"""Counterparties summed up at most, those with the most transactions: a merchant's
thousands of customers would make the alert page slow and unreadable (the subject's profile
ranks them all)."""
IN_CHUNK = 500
"""Values per ``IN (...)`` when looking up flagged counterparties (keeps parameters few)."""

ACTIVITY_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(), "batch_id": pl.Int64(), "transaction_id": pl.String(),
    "booked_at": pl.Datetime("us", "UTC"), "amount": pl.Decimal(38, AMOUNT_SCALE),
    "currency": pl.String(), "originator_name": pl.String(),
    "originator_account": pl.String(), "originator_country": pl.String(),
    "beneficiary_name": pl.String(), "beneficiary_account": pl.String(),
    "beneficiary_country": pl.String(), "channel": pl.String(), "purpose": pl.String(),
}
_COLUMNS = [getattr(Transaction, name) for name in ACTIVITY_SCHEMA]


@dataclass(frozen=True)
class CounterpartyActivity:
    name: str
    """The spelling seen most often."""
    key: str
    """Normalised name, or the account number when no name was given."""
    count: int
    totals: dict[str, Decimal]
    """Total per currency, both directions."""
    sent: dict[str, Decimal]
    """Paid by the counterparty to the subject, per currency."""
    received: dict[str, Decimal]
    """Paid by the subject to the counterparty, per currency."""
    first_at: datetime | None
    last_at: datetime | None
    countries: tuple[str, ...]
    flagged: bool
    """The counterparty is itself an alert's subject or was hit on a list."""


@dataclass(frozen=True)
class SubjectActivity:
    transactions: pl.DataFrame
    """``ACTIVITY_SCHEMA`` plus ``direction`` (``in``/``out`` seen from the subject),
    ``counterparty``, ``counterparty_key``, ``counterparty_account``,
    ``counterparty_country`` and ``in_alert``; newest first."""
    counterparties: list[CounterpartyActivity]
    """Those with the most transactions (at most ``MAX_COUNTERPARTIES``), sorted by number
    of transactions, then name."""
    counterparty_count: int
    """Every counterparty of the transactions read, shown or not."""
    capped: bool
    """More than ``limit`` transactions exist: only the newest were read."""
    limit: int


def _party_names(session: Session, alert: Alert) -> set[str]:
    """Every raw spelling the subject was alerted or hit under."""
    same = select(Alert.id).where(Alert.subject_type == alert.subject_type,
                                  Alert.subject_id == alert.subject_id)
    names = set(session.scalars(select(Alert.subject_name).where(Alert.id.in_(same))))
    names |= set(session.scalars(select(Hit.party_name).where(Hit.alert_id.in_(same))
                                 .distinct()))
    return {name for name in names if name}


def _own(alert: Alert) -> ColumnElement[bool]:
    return and_(Transaction.batch_id == alert.batch_id,
                Transaction.transaction_id.in_(alert.transaction_ids or [""]))


def _subjects(session: Session, alert: Alert) -> ColumnElement[bool]:
    """The subject's transactions: its account's, or those under any of its spellings."""
    if alert.subject_type == "account":
        return or_(Transaction.originator_account == alert.subject_id,
                   Transaction.beneficiary_account == alert.subject_id)
    keys = _party_names(session, alert)
    return or_(Transaction.originator_name.in_(keys), Transaction.beneficiary_name.in_(keys))


def subject_activity(session: Session, alert: Alert, limit: int = MAX_TRANSACTIONS,
                     counterparty_limit: int = MAX_COUNTERPARTIES) -> SubjectActivity:
    """The newest ``limit`` transactions of the alert's subject, and the alert's own
    transactions whatever their age (an old alert of a busy subject keeps its rings)."""
    newest = session.execute(
        select(*_COLUMNS).where(or_(_subjects(session, alert), _own(alert)))
        .order_by(Transaction.booked_at.desc().nulls_last(), Transaction.id.desc())
        .limit(limit + 1)).all()
    rows = [tuple(r) for r in newest[:limit]]
    if len(newest) > limit:
        read = {row[0] for row in rows}
        rows += [tuple(r) for r in session.execute(select(*_COLUMNS).where(_own(alert)))
                 if r[0] not in read]
    frame = pl.DataFrame(rows, schema=ACTIVITY_SCHEMA, orient="row").sort(
        ["booked_at", "id"], descending=True, nulls_last=True)
    frame = _with_direction(frame, alert)
    parties = frame.filter(pl.col("counterparty_key").is_not_null())
    return SubjectActivity(
        transactions=frame,
        counterparties=_counterparties(session, parties, alert, counterparty_limit),
        counterparty_count=parties.get_column("counterparty_key").n_unique(),
        capped=len(newest) > limit, limit=limit,
    )


def _with_direction(frame: pl.DataFrame, alert: Alert) -> pl.DataFrame:
    """Which side the subject is on; rows where it is on neither (a spelling shared by
    someone else that normalises differently) are dropped. Each distinct name is normalised
    once: a busy subject's own name fills half the rows."""
    names = pl.concat([frame.get_column("originator_name"),
                       frame.get_column("beneficiary_name")]).drop_nulls().unique()
    normalised = normalise_names(names)

    def key(column: str) -> pl.Expr:
        return pl.col(column).replace_strict(names, normalised, default=None,
                                             return_dtype=pl.String())

    if alert.subject_type == "account":
        is_orig = pl.col("originator_account") == alert.subject_id
        is_bene = pl.col("beneficiary_account") == alert.subject_id
    else:
        is_orig = pl.col("_orig") == alert.subject_id
        is_bene = pl.col("_bene") == alert.subject_id
    own = set(alert.transaction_ids)
    in_alert = (pl.col("batch_id") == alert.batch_id) & pl.col("transaction_id").is_in(own)
    out = is_orig.fill_null(False)

    def side(name: str) -> pl.Expr:
        return (pl.when(out).then(pl.col(f"beneficiary_{name}"))
                .otherwise(pl.col(f"originator_{name}")))

    # One lazy query: each eager step is a collect of its own (a page drew thirty).
    return (frame.lazy()
            .with_columns(_orig=key("originator_name"), _bene=key("beneficiary_name"))
            .filter(out | is_bene.fill_null(False) | in_alert)
            .with_columns(
                direction=pl.when(out).then(pl.lit("out")).otherwise(pl.lit("in")),
                counterparty=side("name"), counterparty_account=side("account"),
                counterparty_country=side("country"), in_alert=in_alert,
                _key=pl.when(out).then("_bene").otherwise("_orig"))
            .with_columns(
                counterparty_key=pl.when(pl.col("_key").is_null() | (pl.col("_key") == ""))
                .then(pl.col("counterparty_account")).otherwise(pl.col("_key")))
            .drop("_orig", "_bene", "_key").collect())


def _per_currency(frame: pl.DataFrame) -> dict[str, dict[str, dict[str, Decimal]]]:
    """counterparty key → ``total``/``sent``/``received`` → currency → summed amount
    (Decimal all the way), in one grouping. ``sent`` is what the counterparty paid the
    subject (money in), ``received`` what it was paid."""
    found: dict[str, dict[str, dict[str, Decimal]]] = {}
    amount = pl.col("amount")
    summed = (frame.lazy().filter(amount.is_not_null())
              .group_by("counterparty_key", "currency").agg(
                  total=amount.sum(), sent=amount.filter(pl.col("direction") == "in").sum(),
                  received=amount.filter(pl.col("direction") == "out").sum(),
                  ins=(pl.col("direction") == "in").sum(),
                  outs=(pl.col("direction") == "out").sum()).collect())
    for key, currency, total, sent, received, ins, outs in summed.iter_rows():
        sums = found.setdefault(key, {"total": {}, "sent": {}, "received": {}})
        sums["total"][currency or "?"] = total
        if ins:
            sums["sent"][currency or "?"] = sent
        if outs:
            sums["received"][currency or "?"] = received
    return found


def _counterparties(session: Session, parties: pl.DataFrame, alert: Alert,
                    limit: int) -> list[CounterpartyActivity]:
    """The ``limit`` counterparties with the most transactions, summed up; only those are
    looked up in the alerts and hits."""
    if parties.is_empty():
        return []
    grouped = (parties.lazy().group_by("counterparty_key").agg(
        name=pl.col("counterparty").drop_nulls().mode().sort().first(),
        account=pl.col("counterparty_account").drop_nulls().first(),
        count=pl.len(),
        first_at=pl.col("booked_at").min(), last_at=pl.col("booked_at").max(),
        countries=pl.col("counterparty_country").drop_nulls().unique().sort(),
        names=pl.col("counterparty").drop_nulls().unique(),
        accounts=pl.col("counterparty_account").drop_nulls().unique(),
    ).with_columns(shown_name=pl.coalesce("name", "account", "counterparty_key"))
        .sort(["count", "shown_name"], descending=[True, False]).head(limit).collect())
    sums = _per_currency(parties.filter(pl.col("counterparty_key").is_in(
        grouped.get_column("counterparty_key").implode())))
    flagged = _flagged(session, grouped, alert)
    found = []
    for row in grouped.iter_rows(named=True):
        amounts = sums.get(row["counterparty_key"], {})  # none where no amount was given
        found.append(CounterpartyActivity(
            name=row["shown_name"], key=row["counterparty_key"], count=row["count"],
            totals=amounts.get("total", {}), sent=amounts.get("sent", {}),
            received=amounts.get("received", {}),
            first_at=row["first_at"], last_at=row["last_at"],
            countries=tuple(row["countries"]), flagged=row["counterparty_key"] in flagged,
        ))
    return found


Probe = tuple[str, Any, list[str], tuple[ColumnElement[bool], ...]]
"""(tag, column, values, conditions): which of ``values`` some row has in ``column``."""


def _present(session: Session, probes: list[Probe]) -> dict[str, set[str]]:
    """Each probe's values found, by tag, in one statement. On PostgreSQL each probe's
    values go as one array, each probed with EXISTS, which stops at the first index entry;
    a DISTINCT over the matching rows read every alert of a common counterparty (164 ms a
    page at 1M alerts). Elsewhere ``IN`` chunks."""
    postgres = session.get_bind().dialect.name == "postgresql"
    parts: list[Select[str, Any]] = []
    for number, (tag, column, values, conditions) in enumerate(probes):
        if not values:
            continue
        if postgres:
            wanted = func.unnest(bindparam(f"wanted_{number}", values, type_=ARRAY(String))
                                 ).column_valued("wanted")
            parts.append(select(literal(tag), wanted).where(
                exists().where(column == wanted, *conditions)))
        else:
            parts += [select(literal(tag), column).where(
                column.in_(values[start:start + IN_CHUNK]), *conditions).distinct()
                for start in range(0, len(values), IN_CHUNK)]
    found: dict[str, set[str]] = {tag: set() for tag, *_ in probes}
    if parts:
        for tag, value in session.execute(union_all(*parts)):
            found[tag].add(value)
    return found


def _flagged(session: Session, grouped: pl.DataFrame, alert: Alert) -> set[str]:
    """Keys of counterparties that are an alert's subject or a hit's party themselves."""
    keys = grouped.get_column("counterparty_key").to_list()
    names = sorted({n for ns in grouped.get_column("names").to_list() for n in ns})
    accounts = sorted({a for acs in grouped.get_column("accounts").to_list() for a in acs})
    present = _present(session, [
        ("key", Alert.subject_id, keys, (Alert.id != alert.id,)),
        ("name", Hit.party_name, names, ()),
        ("account", Alert.subject_id, accounts, (Alert.subject_type == "account",)),
    ])
    hit_keys = present["key"] | present["account"]
    flagged_names = present["name"]
    found = set()
    for row in grouped.iter_rows(named=True):
        if (row["counterparty_key"] in hit_keys
                or any(a in hit_keys for a in row["accounts"])
                or any(n in flagged_names for n in row["names"])):
            found.add(row["counterparty_key"])
    found.discard(alert.subject_id)
    return found
