"""The fields of a network rule, checked.

    kind: network
    pattern: cycle | funnel
    filter: which transactions are transfers (edges) of the graph (default all)
    window: 30d
    max_account_transfers (none): accounts with more transfers in the batch are left out
    cycle:   min_hops (2), max_hops (4), amount_tolerance (0.1)
    funnel:  min_senders (5), max_destinations (2), min_outflow_share (0.8)

Numbers are written as numbers or as a scalar ``param.x`` of ``parameters.yaml``, so a
deployment can set them in its parameter file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aml_screen.rules.compiler import Scope
from aml_screen.rules.model import NetworkSpec, Window
from aml_screen.rules.problems import Report

PATTERNS = ("cycle", "funnel")
MAX_HOPS = 6
"""The longest cycle searched: each hop is one self-join of the transfer edges."""
NETWORK_FIELDS = frozenset({"pattern", "filter", "window", "min_hops", "max_hops",
                            "amount_tolerance", "max_account_transfers", "min_senders",
                            "max_destinations", "min_outflow_share"})
_PATTERN_FIELDS = {"cycle": {"min_hops", "max_hops", "amount_tolerance"},
                   "funnel": {"min_senders", "max_destinations", "min_outflow_share"}}
_PARAM_PREFIX = "param."


def _number(entry: dict[str, Any], name: str, rows: Scope, add: Report, *, default: float,
            low: float, high: float, integer: bool, open_low: bool = False) -> float | None:
    """``entry[name]`` (a number or ``param.x``) within [low, high], or None (reported)."""
    value = entry.get(name, default)
    shown = value
    if isinstance(value, str) and value.startswith(_PARAM_PREFIX):
        found = rows.params.params.get(value[len(_PARAM_PREFIX):])
        if found is None:
            add(name, "rules.unknown_param_field", name=value)
            return None
        if not isinstance(found, Decimal):
            add(name, "rules.param_not_scalar", name=value)
            return None
        value = int(found) if integer and found == int(found) else float(found)
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or (integer and not isinstance(value, int))
            or not (low < value if open_low else low <= value) or value > high):
        if integer:
            add(name, "rules.bad_integer_range", value=shown, low=int(low), high=int(high))
        else:
            add(name, "rules.bad_number_range", value=shown, low=low, high=high,
                bound="<" if open_low else "≤")
        return None
    return float(value)


def network_fields(entry: dict[str, Any], rows: Scope, window: Window | None,
                   add: Report) -> NetworkSpec | None:
    """The ``NetworkSpec`` of ``entry`` (its filter and window are compiled by the caller)."""
    pattern = entry.get("pattern")
    if pattern not in PATTERNS:
        add("pattern", "rules.bad_choice", value=pattern, expected=", ".join(PATTERNS))
        return None
    busiest = (None if entry.get("max_account_transfers") is None else
               _number(entry, "max_account_transfers", rows, add, default=0, low=2,
                       high=10**9, integer=True))
    if busiest is None and entry.get("max_account_transfers") is not None:
        return None
    for other in sorted(set(entry) & (set().union(*_PATTERN_FIELDS.values())
                                      - _PATTERN_FIELDS[pattern])):
        add(other, "rules.field_not_for_pattern", pattern=pattern)
    if pattern == "cycle":
        low = _number(entry, "min_hops", rows, add, default=2, low=2, high=MAX_HOPS,
                      integer=True)
        high = _number(entry, "max_hops", rows, add, default=4, low=2, high=MAX_HOPS,
                       integer=True)
        tolerance = _number(entry, "amount_tolerance", rows, add, default=0.1, low=0,
                            high=0.99, integer=False)
        if low is not None and high is not None and high < low:
            add("max_hops", "rules.hops_order", min_hops=int(low), max_hops=int(high))
            return None
        if low is None or high is None or tolerance is None or window is None:
            return None
        return NetworkSpec("cycle", min_hops=int(low), max_hops=int(high), tolerance=tolerance,
                           max_account_transfers=None if busiest is None else int(busiest))
    senders = _number(entry, "min_senders", rows, add, default=5, low=2, high=10_000,
                      integer=True)
    destinations = _number(entry, "max_destinations", rows, add, default=2, low=1,
                           high=10_000, integer=True)
    share = _number(entry, "min_outflow_share", rows, add, default=0.8, low=0, high=1,
                    integer=False, open_low=True)
    if senders is None or destinations is None or share is None or window is None:
        return None
    return NetworkSpec("funnel", min_senders=int(senders), max_destinations=int(destinations),
                       min_outflow_share=share,
                       max_account_transfers=None if busiest is None else int(busiest))
