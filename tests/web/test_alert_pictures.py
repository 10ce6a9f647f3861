"""The alert's pictures never put several currencies on one axis: every amount is drawn in
the local currency at the rule parameters' rates, which the caption states, and an amount
whose currency has no rate is left out of the drawing (and counted)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
from flask import Flask

from aml_screen.rules import load_rules
from aml_screen.store.subject_activity import CounterpartyActivity, SubjectActivity
from web.alerts.pictures import activity_pictures

REPO = Path(__file__).resolve().parents[2]
ROWS = [("T1", "XOF", "1500000", "out", "Moussa Traoré"),
        ("T2", "EUR", "2500", "in", "Aïssata Maïga"),
        ("T3", "MRU", "40000", "out", "Mohamed Ould Abdallahi"),
        ("T4", "JPY", "90000", "in", "Kenji Watanabe")]


def _activity() -> SubjectActivity:
    frame = pl.DataFrame({
        "transaction_id": [r[0] for r in ROWS],
        "booked_at": [datetime(2025, 3, day + 1, 9, tzinfo=UTC) for day in range(len(ROWS))],
        "amount": [Decimal(r[2]) for r in ROWS], "currency": [r[1] for r in ROWS],
        "direction": [r[3] for r in ROWS], "counterparty": [r[4] for r in ROWS],
        "counterparty_account": [None] * len(ROWS), "in_alert": [True] * len(ROWS),
    }, schema_overrides={"amount": pl.Decimal(38, 4)})
    parties = [CounterpartyActivity(
        name=name, key=name.lower(), count=1, totals={currency: Decimal(amount)},
        sent={currency: Decimal(amount)} if way == "in" else {},
        received={currency: Decimal(amount)} if way == "out" else {},
        first_at=None, last_at=None, countries=(), flagged=False)
        for _, currency, amount, way, name in ROWS]
    return SubjectActivity(transactions=frame, counterparties=parties,
                          counterparty_count=len(parties), capped=False, limit=500)


def test_amounts_are_drawn_in_the_local_currency_at_stated_rates(app: Flask) -> None:
    parameters = load_rules(REPO / "rules").parameters
    with app.test_request_context("/"):
        pictures = activity_pictures(_activity(), "Iyad Ag Ghaly", parameters, "XOF")
    assert pictures.rates == {"EUR": Decimal("655.957"), "MRU": Decimal("16.5")}
    assert pictures.undrawn == 1  # JPY: no rate in the parameters
    assert "Amount in XOF" in str(pictures.timeline)
    assert str(pictures.timeline).count("<title>T") == 3


def test_without_rates_only_the_local_currency_is_drawn(app: Flask) -> None:
    with app.test_request_context("/"):
        pictures = activity_pictures(_activity(), "Iyad Ag Ghaly", None, "XOF")
    assert (pictures.rates, pictures.undrawn) == ({}, 3)
