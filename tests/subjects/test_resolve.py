"""Resolution batch by batch: stable subject ids, merges, decisions, incremental = one shot."""

from __future__ import annotations

import polars as pl
import pytest

from aml_screen.errors import InputError
from aml_screen.subjects.known import KnownSubjects
from aml_screen.subjects.resolve import Resolution, resolve
from benchmarks import subject_data
from benchmarks.bench_subjects import pairwise
from tests.subjects.records import records, subject_sets, together

ID = "A123456789"
PHONE = "+22376123456"


def _subject(result: Resolution, record_id: str) -> str:
    return str(result.assignments.filter(pl.col("record_id") == record_id).item(0, "subject_id"))


def test_a_known_subject_keeps_its_id_when_new_records_join_it() -> None:
    first = resolve(records({"name": "Moussa Traoré", "id_number": ID},
                            {"name": "TRAORE Moussa", "id_number": ID}))
    subject = _subject(first, "b1|t0|originator")
    second = resolve(records({"name": "Mousa Traore", "id_number": ID},
                             {"name": "Aminata Diallo", "phone": PHONE}, batch="b2"), first.known)
    assert _subject(second, "b2|t0|originator") == subject
    assert _subject(second, "b2|t1|originator") != subject
    assert second.merged.is_empty()
    assert second.known.subjects.filter(pl.col("subject_id") == subject).item(0, "records") == 3
    link = second.links.filter(pl.col("right") == "b2|t0|originator").row(0, named=True)
    assert (link["left"], link["code"]) == (subject, "same_id_document")


def test_a_record_joining_two_known_subjects_merges_them_into_the_larger() -> None:
    first = resolve(records({"name": "Moussa Traoré", "id_number": ID},
                            {"name": "Moussa Traoré", "id_number": ID},
                            {"name": "Moussa Traoré", "phone": PHONE}))
    larger, smaller = _subject(first, "b1|t0|originator"), _subject(first, "b1|t2|originator")
    assert larger != smaller
    bridge = resolve(records({"name": "MOUSSA TRAORE", "id_number": ID, "phone": PHONE},
                             batch="b2"), first.known)
    assert _subject(bridge, "b2|t0|originator") == larger
    assert bridge.merged.rows() == [(smaller, larger)]
    assert bridge.known.subjects.get_column("subject_id").to_list() == [larger]
    assert bridge.known.subjects.item(0, "records") == 4


def test_a_different_decision_removes_the_link_and_later_batches_respect_it() -> None:
    couple = records({"name": "Moussa Traoré", "phone": PHONE, "id_number": ID},
                     {"name": "Aminata Diallo", "phone": PHONE})
    assert together(resolve(couple).assignments, "b1|t0|originator", "b1|t1|originator")
    decision = pl.DataFrame({"left": ["b1|t0|originator"], "right": ["b1|t1|originator"],
                             "decision": ["different"], "reason": ["shared_family_phone"]})
    split = resolve(couple, decisions=decision)
    husband, wife = _subject(split, "b1|t0|originator"), _subject(split, "b1|t1|originator")
    assert husband != wife
    assert split.links.is_empty()
    # Later, one more record on the phone and the husband's ID: the subjects stay apart
    # when the store passes the decision again (now about the two subjects).
    later_decision = decision.with_columns(left=pl.lit(husband), right=pl.lit(wife))
    later = resolve(records({"name": "MOUSSA TRAORE", "phone": PHONE, "id_number": ID},
                            batch="b2"), split.known, later_decision)
    assert _subject(later, "b2|t0|originator") == husband
    assert later.merged.is_empty()


def test_a_same_decision_joins_records_without_common_evidence() -> None:
    pair = records({"name": "Moussa Traoré"}, {"name": "Aminata Diallo"})
    decision = pl.DataFrame({"left": ["b1|t0|originator"], "right": ["b1|t1|originator"],
                             "decision": ["same"], "reason": ["alias_confirmed"]})
    result = resolve(pair, decisions=decision)
    assert together(result.assignments, "b1|t0|originator", "b1|t1|originator")
    assert result.links.select("code", "params").row(0) == (
        "investigator_merge", '{"reason":"alias_confirmed"}')


def test_records_without_their_own_id_are_refused() -> None:
    twice = pl.concat([records({"name": "Moussa Traoré"}), records({"name": "Awa Sow"})])
    with pytest.raises(InputError, match=r"b1\|t0\|originator"):
        resolve(twice)


def test_an_unknown_decision_is_refused() -> None:
    decision = pl.DataFrame({"left": ["b1|t0|originator"], "right": ["b1|t1|originator"],
                             "decision": ["maybe"], "reason": [None]})
    with pytest.raises(InputError):
        resolve(records({"name": "A"}, {"name": "B"}), decisions=decision)


@pytest.fixture(scope="module")
def labelled() -> list[pl.DataFrame]:
    return subject_data.batches(seed=3, records=6_000, count=3)


def test_incremental_resolution_gives_the_one_shot_partition(
        labelled: list[pl.DataFrame]) -> None:
    """Batch by batch against the summary, or all batches at once: every subject of the
    one-shot run is within one incremental subject, and the incremental run joins little
    more. What it joins more: a record without birth year (or nationality) takes the one
    year the name's group has shown *so far* (``names._filled``), where a one-shot run may
    already see two and hold it apart; and a name that is rare while the store is young
    joins before later batches make it common. Hub accounts are left out: one seen under
    a few names in an early batch joins those customers before it shows as a hub
    (``Resolution.new_hubs``: the store resolves their records again)."""
    hubs = pl.concat(labelled).group_by("account").agg(people=pl.col("person").n_unique())
    shared = hubs.filter(pl.col("people") > 1).get_column("account")
    batches = [b.with_columns(account=pl.when(pl.col("account").is_in(shared.implode()))
                              .then(None).otherwise("account")).drop("person")
               for b in labelled]
    known = KnownSubjects.empty()
    assigned, renamed = [], []
    for batch in batches:
        result = resolve(batch, known)
        known = result.known
        assigned.append(result.assignments)
        renamed.append(result.merged)
    incremental = pl.concat(assigned)
    for merged in renamed * 2:  # follow merges made by later batches
        incremental = incremental.join(merged, on="subject_id", how="left").with_columns(
            subject_id=pl.coalesce("into", "subject_id")).drop("into")
    one_shot = resolve(pl.concat(batches)).assignments
    incremental_of = dict(incremental.select("record_id", "subject_id").iter_rows())
    for subject in subject_sets(one_shot):
        assert len({incremental_of[record] for record in subject}) == 1
    agreement = pairwise(incremental.join(
        one_shot.select("record_id", person="subject_id"), on="record_id"))
    assert agreement["precision"] >= 0.99
    assert one_shot.get_column("subject_id").n_unique() < one_shot.height / 2


def test_a_misspelt_name_born_the_same_day_joins_a_known_subject() -> None:
    """The summary is searched by birth date too, not only by name key: the known
    subject's key differs from the new record's."""
    first = resolve(records({"name": "Adiaratou Aminata Tapsoba", "birth_date": "1991-11-30",
                             "id_number": ID}))
    second = resolve(records({"name": "ADIARTOU AMINATA TAPSOBA", "birth_date": "1991-11-30"},
                             batch="b2"), first.known)
    assert _subject(second, "b2|t0|originator") == _subject(first, "b1|t0|originator")
    assert second.links.item(0, "code") == "same_name_compatible_details"
