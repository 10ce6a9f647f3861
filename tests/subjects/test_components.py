"""Connected components by label propagation, pinned to a union-find; cuts by decisions."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from aml_screen.subjects.components import components, kept_apart
from aml_screen.subjects.links import EDGES


def _edges(pairs: list[tuple[int, int]], code: str = "same_phone") -> pl.DataFrame:
    return pl.DataFrame([(a, b, code, "{}") for a, b in pairs], schema=EDGES, orient="row")


def _reference(count: int, pairs: list[tuple[int, int]]) -> list[int]:
    parent = list(range(count))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(count)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_components_are_those_of_a_union_find(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = 2_000
    pairs = [(int(a), int(b)) for a, b in rng.integers(0, count, size=(1_500, 2))]
    pairs += [(i, i + 1) for i in range(100, 600)]  # a long chain
    assert components(count, _edges(pairs)).to_list() == _reference(count, pairs)


def test_a_decision_cuts_the_weakest_links_between_its_sides() -> None:
    # 0 -id- 1 -phone- 2 -id- 3, and 0 must not be with 3: the phone link goes.
    edges = pl.concat([_edges([(0, 1), (2, 3)], "same_id_document"), _edges([(1, 2)])])
    labels = components(4, edges)
    assert labels.n_unique() == 1
    apart = pl.DataFrame({"a": [0], "b": [3]}, schema={"a": pl.UInt32, "b": pl.UInt32})
    labels, kept = kept_apart(labels, edges, apart)
    assert labels.to_list() == [0, 0, 2, 2]
    assert kept.get_column("code").to_list() == ["same_id_document", "same_id_document"]
