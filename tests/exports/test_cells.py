"""One cell at a time: the spreadsheet formula rule of the screening outputs, applied to
scalars, and how values become text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import polars as pl
import pytest

from aml_screen.exports.cells import as_text, neutralise, safe_text
from aml_screen.outputs import neutralise_formulas

CASES = ["=1+1", "+2250707", "-2", "@SUM(A1)", "\tcmd", "\rcmd", "Mamadou Traoré",
         "محمد ولد عبد الله", "a=b", "", "'=already"]


@pytest.mark.parametrize("text", CASES)
def test_same_rule_as_the_screening_outputs(text: str) -> None:
    frame = neutralise_formulas(pl.DataFrame({"name": [text]}))
    assert neutralise(text) == frame.item() == safe_text(text)


def test_values_as_text() -> None:
    at = datetime(2026, 11, 23, 16, 5, 9, tzinfo=timezone(timedelta(hours=1)))
    assert as_text(at) == "2026-11-23T15:05:09Z"
    assert as_text(["Al-Qaida", "ML-GEL"]) == "Al-Qaida|ML-GEL"
    assert as_text(None) == ""
    assert safe_text(["=cmd", "x"]) == "'=cmd|x"
    assert safe_text(-1.5) == "-1.5"
    assert safe_text(97.5) == "97.5"
    assert safe_text(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00Z"
