"""The one established holder of an uncommon name takes the records showing only that name."""

from __future__ import annotations

import json

from aml_screen.subjects.resolve import resolve
from aml_screen.subjects.sole_holder import SOLE_NAME
from tests.subjects.records import records, together

ACCOUNT = "ML01D111111111111111111111"
OTHER_ACCOUNT = "ML02D222222222222222222222"


def test_a_bare_record_of_an_uncommon_name_joins_its_one_known_holder() -> None:
    first = resolve(records({"name": "Ibrahim Aliou Sylla", "account": ACCOUNT},
                            {"name": "IBRAHIM ALIOU SYLLA", "account": ACCOUNT}))
    holder = first.assignments.item(0, "subject_id")
    assert first.assignments.get_column("subject_id").n_unique() == 1
    second = resolve(records({"name": "Sylla Ibrahim Aliou"}, batch="b2"), first.known)
    assert second.assignments.item(0, "subject_id") == holder
    link = second.links.row(0, named=True)
    assert (link["left"], link["code"]) == (holder, "sole_holder")
    params = json.loads(link["params"])
    assert params["records"] == 2
    assert params["rarity"] >= SOLE_NAME


def test_the_holder_established_in_the_same_batch_takes_the_bare_records() -> None:
    result = resolve(records({"name": "Daouda Aliou Ballo", "id_number": "A123456789"},
                             {"name": "DAOUDA ALIOU BALLO"}, {"name": "Daouda Aliou Ballo"}))
    assert result.assignments.get_column("subject_id").n_unique() == 1
    assert set(result.links.get_column("code")) == {"sole_holder"}


def test_two_established_holders_take_no_bare_record() -> None:
    result = resolve(records({"name": "Ibrahim Aliou Sylla", "birth_date": "1971-02-03"},
                             {"name": "Ibrahim Aliou Sylla", "birth_date": "1990-10-11"},
                             {"name": "Ibrahim Aliou Sylla"}))
    assert result.assignments.get_column("subject_id").n_unique() == 3


def test_a_bare_record_with_nothing_established_stays_alone() -> None:
    result = resolve(records({"name": "Ibrahim Aliou Sylla"}, {"name": "Ibrahim Aliou Sylla"}))
    assert result.assignments.get_column("subject_id").n_unique() == 2


def test_a_common_name_has_no_sole_holder() -> None:
    result = resolve(records({"name": "Moussa Traoré", "account": ACCOUNT},
                             {"name": "Moussa Traoré", "account": ACCOUNT},
                             {"name": "MOUSSA TRAORE"}))
    assert not together(result.assignments, "b1|t0|originator", "b1|t2|originator")


def test_a_bare_record_of_another_nationality_stays_apart() -> None:
    result = resolve(records({"name": "Ibrahim Aliou Sylla", "account": ACCOUNT,
                              "nationality": "ML"},
                             {"name": "Ibrahim Aliou Sylla", "account": ACCOUNT},
                             {"name": "Ibrahim Aliou Sylla", "nationality": "GN"},
                             {"name": "Ibrahim Aliou Sylla", "nationality": "ML"}))
    assert not together(result.assignments, "b1|t0|originator", "b1|t2|originator")
    assert together(result.assignments, "b1|t0|originator", "b1|t3|originator")


def test_a_second_holder_stops_the_name_from_linking() -> None:
    first = resolve(records({"name": "Ibrahim Aliou Sylla", "account": ACCOUNT},
                            {"name": "Ibrahim Aliou Sylla", "account": ACCOUNT}))
    second = resolve(records({"name": "Ibrahim Aliou Sylla", "account": OTHER_ACCOUNT},
                             {"name": "Ibrahim Aliou Sylla", "account": OTHER_ACCOUNT},
                             {"name": "Ibrahim Aliou Sylla"}, batch="b2"), first.known)
    bare = second.assignments.filter(second.assignments["record_id"] == "b2|t2|originator")
    holders = set(first.assignments.get_column("subject_id")) | set(
        second.assignments.head(2).get_column("subject_id"))
    assert bare.item(0, "subject_id") not in holders
