"""The subject benchmark's labelled set and its pairwise figures, at a small size."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.subjects.records import RECORD_SCHEMA, name_keys
from benchmarks import subject_data
from benchmarks.bench_subjects import measure, pairwise


@pytest.fixture(scope="module")
def batches() -> list[pl.DataFrame]:
    return subject_data.batches(seed=11, records=12_000, count=3)


def test_the_set_is_the_same_for_the_same_seed(batches: list[pl.DataFrame]) -> None:
    again = subject_data.batches(seed=11, records=12_000, count=3)
    assert all(a.equals(b) for a, b in zip(batches, again, strict=True))
    assert list(batches[0].columns) == [*RECORD_SCHEMA, "person"]
    assert sum(b.height for b in batches) == 12_000


def test_the_set_holds_the_hard_cases(batches: list[pl.DataFrame]) -> None:
    records = pl.concat(batches).with_columns(key=name_keys(pl.concat(batches)["name"]))
    per_person = records.group_by("person").agg(
        spellings=pl.col("name").n_unique(), batches=pl.col("batch_id").n_unique())
    assert per_person.filter(pl.col("spellings") > 1).height > 500       # variants
    assert per_person.filter(pl.col("batches") > 1).height > 500         # across batches
    namesakes = records.group_by("key").agg(people=pl.col("person").n_unique())
    assert namesakes.get_column("people").max() > 5                      # Moussa Traoré
    accounts = records.drop_nulls("account").group_by("account").agg(
        people=pl.col("person").n_unique())
    assert accounts.filter(pl.col("people") > 5).height == subject_data.HUBS
    for identifier in ("id_number", "phone"):                            # each one person's
        held = records.drop_nulls(identifier).group_by(identifier).agg(
            people=pl.col("person").n_unique())
        assert held.get_column("people").max() == 1


def test_pairwise_figures_count_pairs_of_records() -> None:
    # Person 1's three records in two subjects, person 2's record joined to one of them.
    truth = pl.DataFrame({"person": [1, 1, 1, 2], "subject_id": ["a", "a", "b", "b"]})
    assert pairwise(truth) == {"precision": 0.5, "recall": round(1 / 3, 4)}


def test_the_benchmark_reaches_its_targets_on_a_small_set(
        batches: list[pl.DataFrame]) -> None:
    figures = measure(batches)
    assert figures["records"] == 12_000
    assert isinstance(figures["precision"], float)
    assert figures["precision"] >= 0.98
    assert figures["recall_with_evidence"] >= 0.95
    assert figures["hubs"] == subject_data.HUBS
