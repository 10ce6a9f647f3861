from __future__ import annotations

import polars as pl
import pytest

from aml_screen.countries import country_codes, normalise_country, to_alpha2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Mali", "ML"), ("MLI", "ML"), ("ml", "ML"), ("Malian", "ML"), ("Malienne", "ML"),
        ("Niger", "NE"), ("Nigérien", "NE"), ("Nigeria", "NG"), ("Nigerian", "NG"),
        ("Burkina Faso", "BF"), ("Burkinabè", "BF"), ("Tchad", "TD"), ("Chadian", "TD"),
        ("Mauritanie", "MR"), ("Mauritania", "MR"), ("Côte d’Ivoire", "CI"),
        ("Côte d'Ivoire", "CI"), ("Ivory Coast", "CI"), ("Algérie", "DZ"),
        ("Democratic Republic of the Congo", "CD"), ("Iran (Islamic Republic of)", "IR"),
        ("Syrian Arab Republic", "SY"), ("DPRK", "KP"), ("Emirats arabes unis", "AE"),
        ("Saudi", "SA"), ("Afghan", "AF"), ("Royaume-Uni", "GB"),
    ],
)
def test_names_codes_and_demonyms_resolve(text: str, code: str) -> None:
    assert to_alpha2(text) == code


@pytest.mark.parametrize("text", ["former Soviet Union", "Azawad", "Foo"])
def test_unresolved_text_is_kept_as_written(text: str) -> None:
    assert to_alpha2(text) is None
    assert normalise_country(f"  {text} ") == text


def test_blank_is_none() -> None:
    assert normalise_country("  ") is None
    assert normalise_country(None) is None


def test_country_codes_resolve_a_column_keeping_or_dropping_unknown_text() -> None:
    values = pl.Series(["Mali", "malienne", "MLI", None, "Atlantis", "Niger", "Mali"])
    assert country_codes(values).to_list() == ["ML", "ML", "ML", None, "Atlantis", "NE", "ML"]
    assert country_codes(values, keep_unknown=False).to_list() == [
        "ML", "ML", "ML", None, None, "NE", "ML"]
