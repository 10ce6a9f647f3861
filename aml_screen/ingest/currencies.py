"""ISO 4217 currencies in use and their minor units, from ``reference/iso4217.csv``.

The table lists active codes with a defined minor unit; codes ISO marks "N.A." (gold, SDR,
test codes) are left out, so a batch using them is quarantined as ``unknown_currency``.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "reference" / "iso4217.csv"


@cache
def minor_units() -> dict[str, int]:
    """Currency code -> number of decimal places it allows (XOF 0, EUR 2, TND 3, CLF 4)."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: int(row["minor_units"]) for row in csv.DictReader(handle)}
