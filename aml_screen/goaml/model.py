"""An STR as plain data: what ``goaml.xml`` writes, independent of the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from aml_screen.errors import InputError


class GoamlError(InputError):
    """A case that cannot be exported as an STR (not suspicious, no narrative, no entity
    id...): nothing is written."""

    http_status = 400


@dataclass(frozen=True)
class Party:
    """One side of a transaction. ``country`` is ISO alpha-2 or None when unknown."""

    name: str
    account: str | None
    country: str | None

    @property
    def is_entity(self) -> bool:
        """A company or organisation rather than a person, from its legal-form words."""
        words = set(self.name.casefold().replace(".", " ").replace(",", " ").split())
        return bool(words & ENTITY_WORDS)


ENTITY_WORDS = frozenset({
    "sa", "sarl", "sarlu", "suarl", "sas", "gie", "ets", "établissements", "etablissements",
    "société", "societe", "entreprise", "ong", "association", "coopérative", "cooperative",
    "ltd", "llc", "inc", "plc", "gmbh", "company", "co", "corporation", "bank", "banque",
    "شركة", "مؤسسة",
})
"""Legal-form and organisation words (French, English, Arabic) that make a party an entity."""


@dataclass(frozen=True)
class Transaction:
    number: str
    booked_at: datetime | None
    amount_local: Decimal
    channel: str | None
    purpose: str | None
    source: Party
    target: Party


@dataclass(frozen=True)
class Report:
    entity_id: str
    reference: str
    """The reporting entity's own reference of the report (``entity_reference``)."""
    submitted_at: datetime
    local_currency: str
    reporter: str
    """User name of the person exporting the report."""
    reason: str
    action: str
    transactions: tuple[Transaction, ...]
