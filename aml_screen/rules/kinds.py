"""The fields of each rule kind, checked and compiled.

    kind: transaction   condition, subject (default originator_account)
    kind: aggregate     filter, group_by, window, step, aggregates {name: expression}, having
    kind: sequence      in_filter, out_filter, window, amount_tolerance, other_country,
                        max_inflows
    kind: list          lists, programmes, topics, min_score, condition
    kind: network       pattern (cycle, funnel), filter, window and the pattern's numbers
                        (see ``kinds_network``)
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import polars as pl

from aml_screen.rules import grammar as g
from aml_screen.rules.compiler import Scope, compile_expr
from aml_screen.rules.derived import RULE_COLUMNS
from aml_screen.rules.kinds_network import NETWORK_FIELDS, network_fields
from aml_screen.rules.model import KEY_COLUMNS, Aggregate, ListSpec, SequenceSpec, Window
from aml_screen.rules.parameters import Parameters
from aml_screen.rules.problems import Report
from aml_screen.rules.typed import Typed, type_of
from aml_screen.watchlists.topics import PEP_TOPICS

KIND_FIELDS = {
    "transaction": frozenset({"condition", "subject"}),
    "aggregate": frozenset({"filter", "group_by", "window", "step", "aggregates", "having"}),
    "sequence": frozenset({"in_filter", "out_filter", "window", "amount_tolerance",
                           "other_country", "max_inflows"}),
    "list": frozenset({"lists", "programmes", "topics", "min_score", "condition"}),
    "network": NETWORK_FIELDS,
}
ROW_TYPES = {name: type_of(dtype) for name, dtype in RULE_COLUMNS.items()}
_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNIT = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def compile_field(entry: dict[str, Any], name: str, scope: Scope, add: Report, *,
                  required: bool = False, expect: str = "bool") -> tuple[Typed, g.Node] | None:
    """Parse and compile ``entry[name]``; a missing optional condition is ``true``."""
    text = entry.get(name)
    if text is None and not required:
        return Typed(pl.lit(value=True), "bool"), g.Constant(value=True, pos=0)
    if not isinstance(text, str | int | float) or isinstance(text, bool):
        add(name, "rules.missing_field" if text is None else "rules.not_text")
        return None
    try:
        node = g.parse(str(text))
        typed = compile_expr(node, scope)
    except g.ExpressionError as exc:
        add(name, exc.key, **exc.params)
        return None
    if expect and typed.type != expect:
        add(name, "rules.expr.result_type", found=typed.type, expected=expect)
        return None
    return typed, node


def parse_window(value: Any, name: str, add: Report, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    text = str(value).strip() if isinstance(value, str | int) else ""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        add(name, "rules.bad_window", value=value)
        return None
    return text


def to_timedelta(text: str) -> timedelta:
    match = _DURATION.match(text)
    assert match is not None  # noqa: S101  (checked by parse_window)
    return int(match.group(1)) * _UNIT[match.group(2)]


def default_step(length: timedelta) -> timedelta:
    """A seventh of the window in whole hours (one day for seven days), at least one hour."""
    hours = max(1, int(length / timedelta(hours=1)) // 7)
    return min(timedelta(hours=hours), length)


def build_rule(entry: dict[str, Any], kind: str, params: Parameters,
               add: Report) -> dict[str, Any] | None:
    """The kind's fields of ``Rule``, or None (problems reported through ``add``)."""
    rows = Scope(ROW_TYPES, params)
    if kind == "transaction":
        subject = entry.get("subject", "originator_account")
        if subject not in KEY_COLUMNS:
            add("subject", "rules.bad_choice", value=subject, expected=", ".join(KEY_COLUMNS))
        condition = compile_field(entry, "condition", rows, add, required=True)
        if condition is None or subject not in KEY_COLUMNS:
            return None
        return {"subject": subject, "condition": condition[0].expr}
    if kind == "aggregate":
        return _aggregate(entry, rows, add)
    if kind == "sequence":
        return _sequence(entry, rows, add)
    if kind == "network":
        return _network(entry, rows, add)
    return _listing(entry, rows, add)


def _network(entry: dict[str, Any], rows: Scope, add: Report) -> dict[str, Any] | None:
    condition = compile_field(entry, "filter", rows, add)
    window_text = parse_window(entry.get("window"), "window", add)
    window = None
    if window_text:
        length = to_timedelta(window_text)
        window = Window(window_text, length, default_step(length))
    spec = network_fields(entry, rows, window, add)
    if condition is None or spec is None:
        return None
    return {"subject": "originator_account", "condition": condition[0].expr,
            "window": window, "network": spec}


def _aggregate(entry: dict[str, Any], rows: Scope, add: Report) -> dict[str, Any] | None:
    key = entry.get("group_by")
    if key not in KEY_COLUMNS:
        add("group_by", "rules.bad_choice", value=key, expected=", ".join(KEY_COLUMNS))
    condition = compile_field(entry, "filter", rows, add)
    window_text = parse_window(entry.get("window"), "window", add)
    step_text = parse_window(entry.get("step"), "step", add, required=False)
    window = None
    if window_text:
        length = to_timedelta(window_text)
        step = to_timedelta(step_text) if step_text else default_step(length)
        if step > length:
            add("step", "rules.step_too_long", step=step_text, window=window_text)
        window = Window(window_text, length, step)
    aggregates: list[Aggregate] = []
    specs = entry.get("aggregates")
    if not isinstance(specs, dict) or not specs:
        add("aggregates", "rules.missing_field")
        specs = {}
    mask_scope = Scope(ROW_TYPES, rows.params, aggregate_mask=pl.col("_mask"))
    for name in specs:
        if not (isinstance(name, str) and re.match(r"^[a-z][a-z0-9_]*$", name)) or (
                name in ROW_TYPES):
            add(f"aggregates.{name}", "rules.bad_aggregate_name")
            continue
        compiled = compile_field(specs, name, mask_scope, _prefixed(add, "aggregates."),
                                 required=True, expect="")
        if compiled is not None:
            aggregates.append(Aggregate(name, compiled[1], compiled[0].expr, compiled[0].type))
    having_scope = Scope({a.name: a.type for a in aggregates}, rows.params, row_level=False)
    having = compile_field(entry, "having", having_scope, add, required=True)
    if (condition is None or window is None or having is None or key not in KEY_COLUMNS
            or len(aggregates) != len(specs)):
        return None
    return {"subject": key, "condition": condition[0].expr, "window": window,
            "aggregates": tuple(aggregates), "having": having[0].expr, "having_node": having[1]}


def _prefixed(add: Report, prefix: str) -> Report:
    def report(field_name: str, key: str, **params: Any) -> None:
        add(prefix + field_name, key, **params)
    return report


def _sequence(entry: dict[str, Any], rows: Scope, add: Report) -> dict[str, Any] | None:
    inbound = compile_field(entry, "in_filter", rows, add)
    outbound = compile_field(entry, "out_filter", rows, add)
    window_text = parse_window(entry.get("window"), "window", add)
    tolerance = entry.get("amount_tolerance", 0.1)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not (
            0 <= tolerance < 1):
        add("amount_tolerance", "rules.bad_tolerance", value=tolerance)
        return None
    other_country = entry.get("other_country", False)
    if not isinstance(other_country, bool):
        add("other_country", "rules.not_boolean", value=other_country)
        return None
    max_inflows = entry.get("max_inflows")
    if max_inflows is not None and (isinstance(max_inflows, bool)
                                    or not isinstance(max_inflows, int) or max_inflows < 1):
        add("max_inflows", "rules.bad_count", value=max_inflows)
        return None
    if inbound is None or outbound is None or window_text is None:
        return None
    length = to_timedelta(window_text)
    spec = SequenceSpec(inbound[0].expr, outbound[0].expr, float(tolerance), other_country,
                        max_inflows)
    return {"subject": "originator_account", "condition": pl.lit(value=True),
            "window": Window(window_text, length, length), "sequence": spec}


def _listing(entry: dict[str, Any], rows: Scope, add: Report) -> dict[str, Any] | None:
    condition = compile_field(entry, "condition", rows, add)
    lists, programmes, topics = (_text_list(entry.get(name), name, add)
                                 for name in ("lists", "programmes", "topics"))
    min_score = entry.get("min_score", 0)
    if isinstance(min_score, bool) or not isinstance(min_score, int | float) or not (
            0 <= min_score <= 100):
        add("min_score", "rules.bad_severity", value=min_score)
        return None
    if condition is None or lists is None or programmes is None or topics is None:
        return None
    wanted = tuple(dict.fromkeys(expanded for topic in topics
                                 for expanded in (PEP_TOPICS if topic == "pep" else (topic,))))
    return {"subject": "listed_party", "condition": condition[0].expr,
            "listing": ListSpec(lists, programmes, float(min_score), wanted)}


def _text_list(value: Any, name: str, add: Report) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    add(name, "rules.bad_text_list")
    return None
