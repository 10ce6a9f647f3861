"""SQL pieces for a party's side of a stored transaction: a ``party_subjects`` row joined to
its transaction and to the other side of it, and a transaction column read on the party's
own side or on the other one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case
from sqlalchemy.orm import aliased

from aml_screen.store.models import PartySubject, Transaction

Party = type[PartySubject] | Any
"""``PartySubject`` or an alias of it."""


def its_transaction(party: Party = PartySubject) -> ColumnElement[bool]:
    """Join condition: ``party``'s transaction."""
    return and_(Transaction.batch_id == party.batch_id,
                Transaction.transaction_id == party.transaction_id)


def other_side(party: Party = PartySubject) -> tuple[Any, ColumnElement[bool]]:
    """An alias for the other side of ``party``'s transaction, and its join condition."""
    other = aliased(PartySubject)
    return other, and_(other.batch_id == party.batch_id,
                       other.transaction_id == party.transaction_id,
                       other.party_role != party.party_role)


def on_side(originator: Any, beneficiary: Any, party: Party = PartySubject) -> Any:
    """``originator`` when ``party`` is the transaction's originator, else ``beneficiary``
    (swap them to read the other side)."""
    return case((party.party_role == "originator", originator), else_=beneficiary)


def party_name(party: Party = PartySubject) -> Any:
    """The name written on ``party``'s side."""
    return on_side(Transaction.originator_name, Transaction.beneficiary_name, party)
