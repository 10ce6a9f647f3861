"""What a loaded rule is. Rules are checked and their expressions compiled when loaded, so
evaluation never meets a rule it cannot run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.parameters import Parameters

TYPOLOGIES = ("drug_trafficking", "arms_trafficking", "human_trafficking", "migrant_smuggling",
              "terrorist_financing", "corruption", "generic")
KINDS = ("transaction", "aggregate", "sequence", "list", "network")
SCOPES = ("batch", "history")
SEVERITIES = {"low": 25.0, "medium": 50.0, "high": 75.0, "critical": 95.0}
SUBJECT_KEYS = {
    "originator_account": "account", "beneficiary_account": "account",
    "originator_name": "party", "beneficiary_name": "party", "listed_party": "party",
}
"""Columns a rule may be about, and the alert subject type each gives; ``listed_party`` is
the party of a watchlist hit (list rules)."""
KEY_COLUMNS = ("originator_account", "beneficiary_account", "originator_name",
               "beneficiary_name")
"""What transaction rules are about and aggregate rules group by."""
NAME_OF = {"originator_account": "originator_name", "beneficiary_account": "beneficiary_name",
           "originator_name": "originator_name", "beneficiary_name": "beneficiary_name"}


@dataclass(frozen=True)
class Aggregate:
    name: str
    node: g.Node
    expr: pl.Expr
    type: str


@dataclass(frozen=True)
class Window:
    text: str
    """As written (``7d``, ``48h``), a polars duration."""
    length: timedelta
    step: timedelta
    """Windows of ``length`` start every ``step``: any transactions at most
    ``length - step`` apart fall into one window together."""


@dataclass(frozen=True)
class SequenceSpec:
    """Money in to an account, then out of it within ``window`` with a similar amount."""

    in_filter: pl.Expr
    out_filter: pl.Expr
    tolerance: float
    """Largest relative difference |out - in| / in between the two amounts (in XOF)."""
    other_country: bool
    """Require the money to leave towards another country than it came from."""
    max_inflows: int | None = None
    """Accounts receiving more qualifying inflows than this in the batch are left out:
    merchants and agents pair in and out by chance; a mule receives a few large sums."""


@dataclass(frozen=True)
class NetworkSpec:
    """A pattern over the transfer graph (accounts as nodes, the rule's filtered transfers as
    edges) within ``Rule.window``.

    ``cycle``: money leaving an account comes back to it through ``min_hops`` to ``max_hops``
    transfers, each no earlier than the one before, the last within the window of the first,
    and each amount (XOF) within ``tolerance`` of the one before it.
    ``funnel``: an account receives from at least ``min_senders`` distinct accounts, sends to
    at most ``max_destinations``, and sends on at least ``min_outflow_share`` of what it
    received within the window."""

    pattern: str
    min_hops: int = 2
    max_hops: int = 4
    tolerance: float = 0.1
    max_account_transfers: int | None = None
    """Accounts with more transfers (edges in and out) in the batch are left out of the
    graph: merchants, agents and payroll accounts close cycles and collect from many
    senders by chance."""
    min_senders: int = 5
    max_destinations: int = 2
    min_outflow_share: float = 0.8


@dataclass(frozen=True)
class ListSpec:
    """A watchlist hit at or above ``min_score`` on these lists/programmes/topics. Without
    ``topics``, PEP hits (``watchlists.topics.is_pep_hit``) are left out: a rule written for
    sanctions hits does not fire on a politically exposed person."""

    list_ids: tuple[str, ...]
    programmes: tuple[str, ...]
    min_score: float
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    name: str
    fires: bool
    transactions: pl.DataFrame
    hits: pl.DataFrame


@dataclass(frozen=True)
class Rule:
    id: str
    file: str
    title: dict[str, str]
    description: dict[str, str]
    typology: str
    severity: float
    references: tuple[str, ...]
    kind: str
    subject: str
    """Column naming the alert's subject (a key of ``SUBJECT_KEYS``)."""
    condition: pl.Expr
    """Transaction rules: the condition; aggregate rules: which rows are aggregated;
    list rules: the condition on the hit's transaction. ``True`` when not written."""
    window: Window | None = None
    aggregates: tuple[Aggregate, ...] = ()
    having: pl.Expr | None = None
    having_node: g.Node | None = None
    sequence: SequenceSpec | None = None
    listing: ListSpec | None = None
    network: NetworkSpec | None = None
    expressions: dict[str, str] = field(default_factory=dict)
    """The rule's expressions as written, by field (shown in evidence and reports)."""
    parameters_used: dict[str, Any] = field(default_factory=dict)
    """``param.x``/``set.x``/``words.x`` the expressions use -> their values."""
    examples: tuple[Example, ...] = field(default=(), compare=False)
    scope: str = "batch"
    """``batch``: evaluated on each batch; ``history``: also over the stored transactions of
    the accounts the batch touches (``rules.history``), so a pattern split across batches or
    banks fires."""

    @property
    def subject_type(self) -> str:
        return SUBJECT_KEYS[self.subject]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    parameters: Parameters
    files: tuple[str, ...]

    def of_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]
