"""Small hand-made parameters and transactions for the rule engine tests."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from aml_screen.rules.derived import add_derived
from aml_screen.rules.examples import transactions_frame
from aml_screen.rules.parameters import Parameters

PARAMS = Parameters(
    fx_to_xof={"XOF": Decimal(1), "XAF": Decimal(1), "EUR": Decimal("655.957")},
    channel_kinds={"cash": ("espèces", "cash"), "hawala": ("hawala",),
                   "mobile": ("orange money", "mobile"), "wire": ("virement", "transfer")},
    params={"threshold": {"XOF": Decimal(5_000_000), "EUR": Decimal(7500)},
            "floor": Decimal("0.8"), "big_xof": Decimal(10_000_000), "min_count": Decimal(3)},
    sets={"sahel": frozenset({"ML", "NE", "BF", "TD", "MR"})},
    words={"drugs": ("cocaïne", "cannabis"), "gold": ("or", "gold")},
)

ROWS = [
    {"transaction_id": "T1", "amount": "4999999.9999", "currency": "XOF",
     "channel": "Versement ESPÈCES", "purpose": "Achat OR", "originator_country": "ML",
     "beneficiary_country": "AE", "booked_at": "2025-03-03T23:30:00Z"},
    {"transaction_id": "T2", "amount": "5000000", "currency": "XOF", "channel": "Virement",
     "purpose": "fournisseur", "originator_country": "NE", "beneficiary_country": "NE"},
    {"transaction_id": "T3", "amount": "7499.99", "currency": "EUR", "channel": "Orange Money",
     "purpose": "cocaine", "originator_country": "FR", "beneficiary_country": "ML"},
    {"transaction_id": "T4", "amount": "3999999", "currency": "XAF",
     "channel": "Transfert hawala", "purpose": None, "originator_country": None,
     "beneficiary_country": "TD"},
]


@pytest.fixture
def params() -> Parameters:
    return PARAMS


@pytest.fixture
def frame() -> pl.DataFrame:
    return add_derived(transactions_frame("t", ROWS).lazy(), PARAMS).collect()
