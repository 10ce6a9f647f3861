"""Score adjustments from what is known besides the names."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.match import adjust


@pytest.mark.parametrize(
    ("party", "listed", "points"),
    [
        ("1972-06-01", ["1972-06-01"], adjust.BIRTH_YEAR_SAME),
        ("1972", ["1971", "1975"], 0.0),  # a year away: no evidence either way
        ("1990-01-01", ["1972-06-01", "1973"], adjust.BIRTH_YEAR_DIFFERENT),
        (None, ["1972"], 0.0),
        ("1972", [], 0.0),
    ],
)
def test_birth_year(party: str | None, listed: list[str], points: float) -> None:
    frame = pl.DataFrame({"p": [party], "l": [listed]},
                         schema={"p": pl.String, "l": pl.List(pl.String)})
    assert frame.select(adjust.birth_year(pl.col("p"), pl.col("l"))).item() == points


@pytest.mark.parametrize(
    ("party", "listed", "points"),
    [("ML", ["ML", "DZ"], adjust.NATIONALITY_SAME), ("FR", ["ML"], adjust.NATIONALITY_DIFFERENT),
     (None, ["ML"], 0.0), ("ML", [], 0.0)],
)
def test_nationality(party: str | None, listed: list[str], points: float) -> None:
    frame = pl.DataFrame({"p": [party], "l": [listed]},
                         schema={"p": pl.String, "l": pl.List(pl.String)})
    assert frame.select(adjust.nationality(pl.col("p"), pl.col("l"))).item() == points


@pytest.mark.parametrize(
    ("hint", "listed", "points"),
    [("organisation", "person", adjust.ENTITY_TYPE_MISMATCH),
     ("person", "vessel", adjust.ENTITY_TYPE_MISMATCH),
     ("person", "person", 0.0), (None, "organisation", 0.0)],
)
def test_entity_type(hint: str | None, listed: str, points: float) -> None:
    frame = pl.DataFrame({"h": [hint], "t": [listed]}, schema={"h": pl.String, "t": pl.String})
    assert frame.select(adjust.entity_type(pl.col("h"), pl.col("t"))).item() == points


@pytest.mark.parametrize(
    ("evidence", "heaviest", "points"),
    [(adjust.EVIDENCE_MIN + 5, 5.0, 0.0),
     (adjust.EVIDENCE_MIN - 2, 5.0, -2 * adjust.EVIDENCE_SLOPE),
     (adjust.EVIDENCE_MIN - 4, adjust.RARE_TOKEN + 1, 0.0)],  # one rare token is enough
)
def test_low_information(evidence: float, heaviest: float, points: float) -> None:
    value = pl.select(adjust.low_information(pl.lit(evidence), pl.lit(heaviest))).item()
    assert value == pytest.approx(points)
