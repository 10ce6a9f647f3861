"""Pair identity keys and removing exempt hits, on the sample batch screened against the
bundled sample lists."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path

import polars as pl

from aml_screen.exemptions import (
    EXEMPTION_SCHEMA,
    apply_exemptions,
    entry_digests,
    listed_entries,
    party_details,
    party_keys,
    with_pair_keys,
)
from aml_screen.pipeline import list_names, run_screening
from aml_screen.watchlists.loader import Watchlist, load_watchlists
from tests.store.samples import SAMPLE, repo_settings, sample_run

TODAY = date(2026, 1, 15)


@cache
def _lists() -> tuple[Watchlist, ...]:
    settings = repo_settings()
    return tuple(load_watchlists(list(settings.default_watchlists), settings))


def _keyed(transactions: pl.DataFrame, lists: tuple[Watchlist, ...] | None = None
           ) -> pl.DataFrame:
    hits = sample_run().run.hits
    names = list_names(lists or _lists())
    return with_pair_keys(hits, party_details(transactions), listed_entries(names, hits))


def _exemption(hit: dict[str, object], exemption_id: int = 7, status: str = "active",
               expires_on: date = TODAY + timedelta(days=30)) -> pl.DataFrame:
    return pl.DataFrame([{"exemption_id": exemption_id, "list_id": hit["list_id"],
                          "entry_id": hit["entry_id"], "party_key": hit["party_key"],
                          "entry_digest": hit["entry_digest"], "status": status,
                          "expires_on": expires_on}], schema=EXEMPTION_SCHEMA)


def _kouffa(keyed: pl.DataFrame) -> dict[str, object]:
    return keyed.filter(pl.col("party_name") == "Amadou Kouffa").row(0, named=True)


def test_party_key_covers_the_normalised_name_and_the_details() -> None:
    parties = pl.DataFrame({
        "party_name_normalised": ["amadou kouffa", "amadou kouffa", "amadou kouffa",
                                  "amadou kouffa"],
        "party_account": ["+22370000001", " +22370000001 ", "+22370000002", None],
        "party_country": ["ML", "ml", "ML", "ML"],
    })
    keys = party_keys(parties).to_list()
    assert all(len(k) == 64 for k in keys)
    assert keys[0] == keys[1]  # blanks and letter case of the country are not identity
    assert len({keys[0], keys[2], keys[3]}) == 3


def test_entry_digest_ignores_order_but_not_content() -> None:
    schema = {"names": pl.List(pl.Struct({"name": pl.String, "kind": pl.String})),
              "birth_dates": pl.List(pl.String), "nationalities": pl.List(pl.String),
              "countries": pl.List(pl.String), "programmes": pl.List(pl.String),
              "remarks": pl.String}
    base = {"names": [{"name": "AMADOU KOUFA", "kind": "primary"},
                      {"name": "Amadou Barry", "kind": "alias"}],
            "birth_dates": ["1958"], "nationalities": [], "countries": ["ML"],
            "programmes": ["Al-Qaida"], "remarks": "Associated with JNIM"}
    shuffled = {**base, "names": list(reversed(base["names"]))}
    born = {**base, "birth_dates": ["1958", "1958-03-01"]}
    alias_kind = {**base, "names": [{"name": "AMADOU KOUFA", "kind": "primary"},
                                    {"name": "Amadou Barry", "kind": "weak_alias"}]}
    digests = entry_digests(pl.DataFrame([base, shuffled, born, alias_kind],
                                         schema=schema)).to_list()
    assert digests[0] == digests[1]
    assert len(set(digests)) == 3


def test_an_active_exemption_suppresses_exactly_its_pair() -> None:
    keyed = _keyed(sample_run().run.transactions)
    assert keyed.get_column("party_key").null_count() == 0
    assert keyed.get_column("entry_digest").null_count() == 0
    kept, suppressed = apply_exemptions(keyed, _exemption(_kouffa(keyed)), today=TODAY)
    assert suppressed.get_column("party_name").to_list() == ["Amadou Kouffa"]
    assert suppressed.get_column("exemption_id").to_list() == [7]
    assert kept.height == keyed.height - 1
    assert "Amadou Kouffa" not in kept.get_column("party_name").to_list()


def test_proposed_rejected_and_expired_exemptions_do_not_apply() -> None:
    keyed = _keyed(sample_run().run.transactions)
    hit = _kouffa(keyed)
    exemptions = pl.concat([
        _exemption(hit, 1, status="proposed"), _exemption(hit, 2, status="rejected"),
        _exemption(hit, 3, status="revoked"),
        _exemption(hit, 4, expires_on=TODAY - timedelta(days=1)),
    ])
    kept, suppressed = apply_exemptions(keyed, exemptions, today=TODAY)
    assert suppressed.is_empty()
    assert kept.height == keyed.height
    _, on_last_day = apply_exemptions(keyed, _exemption(hit, expires_on=TODAY), today=TODAY)
    assert on_last_day.height == 1


def test_a_changed_party_account_is_no_longer_exempt() -> None:
    transactions = sample_run().run.transactions
    exemption = _exemption(_kouffa(_keyed(transactions)))
    moved = transactions.with_columns(
        beneficiary_account=pl.when(pl.col("beneficiary_name") == "Amadou Kouffa")
        .then(pl.lit("+22399999999")).otherwise(pl.col("beneficiary_account")))
    kept, suppressed = apply_exemptions(_keyed(moved), exemption, today=TODAY)
    assert suppressed.is_empty()
    assert "Amadou Kouffa" in kept.get_column("party_name").to_list()


def test_a_changed_listed_entry_is_no_longer_exempt() -> None:
    transactions = sample_run().run.transactions
    exemption = _exemption(_kouffa(_keyed(transactions)))
    updated = tuple(
        Watchlist(w.list_id, w.source, w.format, w.sha256, w.version_date, w.retrieved_at,
                  w.entries.with_columns(birth_dates=pl.when(pl.col("entry_id") == "QDi.425")
                                         .then(pl.lit(["1958", "1958-07-12"]))
                                         .otherwise(pl.col("birth_dates"))))
        for w in _lists())
    kept, suppressed = apply_exemptions(_keyed(transactions, updated), exemption, today=TODAY)
    assert suppressed.is_empty()
    assert "Amadou Kouffa" in kept.get_column("party_name").to_list()


def test_the_pipeline_raises_no_alert_on_an_exempt_pair(tmp_path: Path) -> None:
    settings = repo_settings()
    keyed = _keyed(sample_run().run.transactions)
    exemption = _exemption(_kouffa(keyed), exemption_id=12, expires_on=date(2999, 1, 1))
    run = run_screening([SAMPLE], list(_lists()), threshold=settings.match_threshold,
                        timezone=settings.timezone, date_order=settings.date_order,
                        exemptions=exemption)
    plain = run_screening([SAMPLE], list(_lists()), threshold=settings.match_threshold,
                          timezone=settings.timezone, date_order=settings.date_order,
                          exemptions=exemption.clear())
    subjects = run.alerts.get_column("subject_id").to_list()
    assert "amadou kouffa" not in subjects
    assert "amadou kouffa" in plain.alerts.get_column("subject_id").to_list()
    assert run.alerts.height == plain.alerts.height - 1
    assert run.summary["exempt_hits"] == 1
    assert run.summary["exemptions_used"] == [12]
    assert plain.summary["exempt_hits"] == 0
    assert run.hits.columns == plain.hits.columns
