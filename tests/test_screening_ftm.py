"""Screening against a FollowTheMoney list: hits carry the entry's topics and relation, a PEP
hit rolls up as a ``pep`` risk factor weighed under any sanctions hit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from aml_screen.alerts import PEP_WEIGHT, roll_up
from aml_screen.pipeline import index_watchlists
from aml_screen.schema import HIT_SCHEMA, TRANSACTION_SCHEMA, conform
from aml_screen.screening import screen_names
from aml_screen.settings import Settings
from aml_screen.watchlists.loader import Watchlist, load_watchlist
from aml_screen.watchlists.topics import relation_sentences, topic_labels

FTM = Path(__file__).parent / "watchlists" / "data" / "ftm" / "entities.ftm.json"
UN_SAMPLE = Path(__file__).parents[1] / "watchlists" / "samples" / "un_sahel_sample.xml"


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> list[Watchlist]:
    settings = Settings(sources_file=tmp_path_factory.mktemp("s") / "none.yaml")
    return [load_watchlist(str(FTM), settings), load_watchlist(str(UN_SAMPLE), settings)]


def _batch(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"transaction_id": [r[0] for r in rows], "originator_name": [r[1] for r in rows],
         "beneficiary_name": [r[2] for r in rows],
         "booked_at": [datetime(2026, 11, 30, 10, tzinfo=UTC)] * len(rows),
         "amount": [Decimal("25000000")] * len(rows), "currency": ["XOF"] * len(rows)})
    return conform(frame, TRANSACTION_SCHEMA)


BATCH = [
    ("T1", "Seydou Abdoulaye Keita", "Boutique Hamdallaye"),   # the PEP himself
    ("T2", "Moussa Diarra", "Aminata Keita"),                  # his daughter
    ("T3", "Sahel Or Negoce SARL", "Comptoir Bamako"),        # company owned by Cissé
    ("T4", "Ousmane Diakite Cisse", "Moussa Diarra"),          # sanctioned person
]


@pytest.fixture(scope="module")
def hits(lists: list[Watchlist]) -> pl.DataFrame:
    found = screen_names(_batch(BATCH), index_watchlists(lists), 85).hits
    assert found.schema == pl.Schema(HIT_SCHEMA)
    return found.filter(pl.col("list_id") == "opensanctions")


def _best(hits: pl.DataFrame, transaction_id: str) -> dict[str, object]:
    return hits.filter(pl.col("transaction_id") == transaction_id).row(0, named=True)


def test_pep_hit_carries_topics_and_no_relation(hits: pl.DataFrame) -> None:
    pep = _best(hits, "T1")
    assert pep["entry_id"] == "NK-pep-seydou-keita"
    assert pep["topics"] == ["role.pep"]
    assert pep["relation"] == ""
    assert topic_labels(pep["topics"], "en") == ["Politically exposed person"]  # type: ignore[arg-type]
    assert topic_labels(pep["topics"], "fr") == ["Personne politiquement exposée"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("transaction_id", "entry_id", "en", "fr"), [
    ("T2", "NK-rca-aminata-keita", "daughter of Seydou Abdoulaye Keïta",
     "fille de Seydou Abdoulaye Keïta"),
    ("T3", "NK-co-sahel-or", "owned by Ousmane Diakité Cissé",
     "détenu(e) par Ousmane Diakité Cissé"),
])
def test_hit_on_a_relative_or_owned_company_states_the_relation(
        hits: pl.DataFrame, transaction_id: str, entry_id: str, en: str, fr: str) -> None:
    hit = _best(hits, transaction_id)
    assert hit["entry_id"] == entry_id
    assert json.loads(str(hit["relation"]))[0]["other_entry_id"] in {
        "NK-pep-seydou-keita", "NK-san-ousmane-cisse"}
    assert relation_sentences(str(hit["relation"]), "en") == [en]
    assert relation_sentences(str(hit["relation"]), "fr") == [fr]


def test_hits_on_lists_without_topics_have_empty_topics_and_relation(
        lists: list[Watchlist]) -> None:
    found = screen_names(_batch([("U1", "Amadou Kouffa", "x")]), index_watchlists(lists[1:]), 80)
    assert found.hits.height > 0
    assert found.hits.get_column("topics").to_list() == [[]] * found.hits.height
    assert set(found.hits.get_column("relation")) == {""}


def test_a_sanctions_hit_outranks_a_pep_hit(hits: pl.DataFrame) -> None:
    alerts = roll_up(hits, pl.DataFrame(), "k")
    by_subject = {row["subject_name"]: row for row in alerts.iter_rows(named=True)}
    pep = by_subject["Seydou Abdoulaye Keita"]
    sanctioned = by_subject["Ousmane Diakite Cisse"]
    assert pep["typologies"] == ["pep"]
    assert sanctioned["typologies"] == ["sanctions"]
    assert by_subject["Aminata Keita"]["typologies"] == ["pep"]  # a PEP's relative
    assert by_subject["Sahel Or Negoce SARL"]["typologies"] == ["sanctions"]  # sanction.linked
    assert pep["risk_score"] == pytest.approx(round(pep["max_match_score"] * PEP_WEIGHT, 1))
    assert sanctioned["risk_score"] > pep["risk_score"]
    order = alerts.get_column("subject_name").to_list()
    assert order.index("Ousmane Diakite Cisse") < order.index("Seydou Abdoulaye Keita")
    reason = json.loads(pep["reasons"])[0]
    assert (reason["typology"], reason["topics"]) == ("pep", ["role.pep"])
    relative = json.loads(by_subject["Aminata Keita"]["reasons"])[0]
    assert relative["relation"][0]["role"] == "Daughter"


def test_roll_up_does_not_depend_on_the_order_of_the_hits(hits: pl.DataFrame) -> None:
    doubled = pl.concat([hits, hits.with_columns(transaction_id=pl.lit("T9"))])
    expected = roll_up(doubled, pl.DataFrame(), "k")
    for seed in range(5):
        shuffled = doubled.sample(fraction=1.0, shuffle=True, seed=seed)
        assert roll_up(shuffled, pl.DataFrame(), "k").equals(expected)


def test_old_hit_frames_without_topics_still_roll_up(hits: pl.DataFrame) -> None:
    old = hits.drop("topics", "relation")
    alerts = roll_up(old, pl.DataFrame(), "k")
    assert set(alerts.get_column("typologies").explode()) == {"sanctions"}
    assert conform(old, HIT_SCHEMA).get_column("relation").null_count() == old.height
