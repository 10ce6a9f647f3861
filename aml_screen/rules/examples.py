"""A rule's own test cases: transactions that must fire it and transactions that must not.

    examples:
      - name: three cash deposits just under the threshold in four days
        fires: true
        transactions:
          - {booked_at: 2025-03-03T09:00Z, amount: 4900000, channel: Versement espèces,
             beneficiary_account: ML001}
          ...
        hits: [...]                      # list rules: watchlist hits on those transactions
      - csv: examples/structuring.csv    # columns: case, fires, then transaction columns

Left-out columns take defaults: ``transaction_id`` ``<case>-<n>``, ``currency`` XOF,
``booked_at`` 2025-03-03 10:00 UTC plus n minutes. Each rule needs a firing case and a
quiet one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from aml_screen.rules.model import Example
from aml_screen.rules.parameters import to_decimal
from aml_screen.rules.problems import Report
from aml_screen.schema import HIT_SCHEMA, TRANSACTION_SCHEMA, conform

DEFAULT_TIME = datetime(2025, 3, 3, 10, tzinfo=UTC)
_HIT_DEFAULTS = {"party_role": "originator", "list_version": "example", "name_kind": "primary",
                 "entity_type": "person", "explanation": "{}"}


class _BadValueError(ValueError):
    pass


def parse_examples(value: Any, folder: Path, add: Report) -> list[Example]:
    if not isinstance(value, list) or not value:
        add("examples", "rules.examples_missing")
        return []
    cases: list[Example] = []
    for index, case in enumerate(value):
        where = f"examples[{index}]"
        if isinstance(case, dict) and set(case) == {"csv"}:
            cases.extend(_csv_cases(folder / str(case["csv"]), where, add))
            continue
        if not (isinstance(case, dict) and isinstance(case.get("fires"), bool)
                and isinstance(case.get("transactions"), list) and case["transactions"]):
            add(where, "rules.bad_example")
            continue
        name = str(case.get("name") or f"case{index + 1}")
        example = _example(name, case["fires"], case["transactions"], case.get("hits") or [],
                           where, add)
        if example is not None:
            cases.append(example)
    if cases and {c.fires for c in cases} != {True, False}:
        add("examples", "rules.examples_one_sided")
    return cases


def _example(name: str, fires: bool, rows: list[Any], hits: list[Any], where: str,
             add: Report) -> Example | None:
    try:
        transactions = transactions_frame(name, rows)
        hit_frame = conform(pl.DataFrame([{**_HIT_DEFAULTS, **h} for h in hits],
                                         infer_schema_length=None), HIT_SCHEMA) if hits else (
            pl.DataFrame(schema=HIT_SCHEMA))
    except (_BadValueError, TypeError, pl.exceptions.PolarsError) as exc:
        add(where, "rules.bad_example_value", detail=f"{name}: {str(exc).splitlines()[0]}")
        return None
    return Example(name, fires, transactions, hit_frame)


def transactions_frame(name: str, rows: list[Any]) -> pl.DataFrame:
    """Example rows (mappings of column to YAML value) as a TRANSACTION_SCHEMA frame."""
    records = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _BadValueError(f"transaction {n}: not a mapping")
        unknown = set(row) - set(TRANSACTION_SCHEMA)
        if unknown:
            raise _BadValueError(f"transaction {n}: unknown column {sorted(unknown)[0]}")
        amount = to_decimal(row.get("amount"))
        if amount is None:
            raise _BadValueError(f"transaction {n}: amount {row.get('amount')!r}")
        records.append({
            **{k: None if v is None else str(v) for k, v in row.items()},
            "transaction_id": str(row.get("transaction_id") or f"{name}-{n}"),
            "booked_at": _time(row.get("booked_at"), n),
            "amount": amount,
            "currency": str(row.get("currency") or "XOF"),
            "source_file": "example", "source_line": n,
        })
    return conform(pl.DataFrame(records, schema_overrides={
        "amount": TRANSACTION_SCHEMA["amount"], "booked_at": TRANSACTION_SCHEMA["booked_at"]},
        infer_schema_length=None), TRANSACTION_SCHEMA)


def _time(value: Any, n: int) -> datetime:
    if value is None:
        return DEFAULT_TIME + timedelta(minutes=n)
    if isinstance(value, datetime):
        stamp = value
    else:
        try:
            stamp = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise _BadValueError(f"transaction {n}: booked_at {value!r}") from exc
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _csv_cases(path: Path, where: str, add: Report) -> list[Example]:
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        add(where, "rules.bad_example_value", detail=f"{path.name}: {exc}".splitlines()[0])
        return []
    if not {"case", "fires"} <= set(frame.columns):
        add(where, "rules.bad_example_value", detail=f"{path.name}: needs case and fires")
        return []
    cases = []
    for (case,), rows in frame.group_by("case", maintain_order=True):
        fires = rows["fires"][0].strip().lower() in ("true", "yes", "1", "oui")
        values = rows.drop("case", "fires").to_dicts()
        clean = [{k: v for k, v in row.items() if v not in (None, "")} for row in values]
        example = _example(str(case), fires, clean, [], where, add)
        if example is not None:
            cases.append(example)
    return cases
