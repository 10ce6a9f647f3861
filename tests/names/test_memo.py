"""A memoised function of strings gives what the function gives, computing each string once."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from aml_screen.names.memo import StringMemo
from aml_screen.names.normalise import normalise_names
from aml_screen.names.tokens import name_tokens


def test_each_string_is_computed_once_and_a_full_memo_starts_again() -> None:
    asked: list[list[str]] = []

    def upper(keys: list[str]) -> list[str]:
        asked.append(keys)
        return [k.upper() for k in keys]

    memo = StringMemo(upper, size=3)
    assert memo(["a", "b", "a"]) == {"a": "A", "b": "B"}
    assert memo(["b", "c"]) == {"b": "B", "c": "C"}
    assert asked == [["a", "b"], ["c"]]
    assert memo(["d", "a"]) == {"d": "D", "a": "A"}  # a fourth string: emptied, then d
    assert memo(["a", "b"]) == {"a": "A", "b": "B"}
    assert asked[2:] == [["d"], ["a", "b"]]


def test_names_read_with_their_words_known_give_the_same_tokens() -> None:
    names = pl.Series(["Abdelkader Ould Mohamed", "Ets Compnay Limitde", "Alferd Belkassem"])
    first = name_tokens(normalise_names(names))
    again = name_tokens(normalise_names(names.reverse())).with_columns(
        row=2 - pl.col("row")).sort("row", "pos")
    assert_frame_equal(first, again)
