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


LISTED_DOCUMENTS = [{"kind": "passport", "number": "1084010", "country": "EG"},
                    {"kind": "national_id", "number": "16630893", "country": "CO"}]


@pytest.mark.parametrize(
    ("number", "country", "points"),
    [("1084010", "EG", adjust.ID_DOCUMENT_SAME),
     ("1084-010", None, adjust.ID_DOCUMENT_SAME),  # written another way, country unknown
     ("A7730211", "EG", adjust.ID_DOCUMENT_DIFFERENT),  # another Egyptian document
     ("A7730211", "ML", 0.0),  # a Malian document: the entry's say nothing of it
     ("A7730211", None, 0.0),
     (None, "EG", 0.0)],
)
def test_id_document(number: str | None, country: str | None, points: float) -> None:
    frame = pl.DataFrame({"n": [number], "c": [country], "d": [LISTED_DOCUMENTS]},
                         schema={"n": pl.String, "c": pl.String,
                                 "d": pl.List(pl.Struct({"kind": pl.String,
                                                         "number": pl.String,
                                                         "country": pl.String}))})
    assert frame.select(adjust.id_document(pl.col("n"), pl.col("c"), pl.col("d"))).item() \
        == points


def test_id_document_without_listed_documents_is_neutral() -> None:
    frame = pl.DataFrame({"n": ["1084010"], "c": ["EG"], "d": [[]]},
                         schema={"n": pl.String, "c": pl.String,
                                 "d": pl.List(pl.Struct({"kind": pl.String,
                                                         "number": pl.String,
                                                         "country": pl.String}))})
    assert frame.select(adjust.id_document(pl.col("n"), pl.col("c"), pl.col("d"))).item() == 0


@pytest.mark.parametrize(
    ("party", "points"),
    [("+263 4 486946", adjust.PHONE_SAME), ("+223 76 12 34 56", 0.0), (None, 0.0)],
)
def test_phone(party: str | None, points: float) -> None:
    frame = pl.DataFrame({"p": [party], "l": [["34486946"]]},
                         schema={"p": pl.String, "l": pl.List(pl.String)})
    assert frame.select(adjust.phone(pl.col("p"), pl.col("l"))).item() == points
