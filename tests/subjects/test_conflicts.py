"""Name-only links never join two people whose birth dates or ID numbers disagree."""

from __future__ import annotations

from aml_screen.subjects.resolve import resolve
from tests.subjects.records import records, together

SHOP = "BF02B725266012087464593337"
HER = "MR17408013118644359697235"
SISTER = "MR73393800976022442308278"
SISTER_PHONE = "+22245573681"


def test_a_shared_counterparty_does_not_bridge_two_established_people() -> None:
    """Oumou Mint Mahmoud (born 1973) and Oumou Mariem Mahmoud (born 1997) are both
    written "Oumou Mahmoud" once, paying the same quiet account, one from her account,
    the other showing her phone and no account: the same name with the same counterparty
    would make them one subject."""
    result = resolve(records(
        {"name": "Oumou Mint Mahmoud", "account": HER, "birth_date": "1973-12-21"},
        {"name": "Oumou Mariem Mahmoud", "account": SISTER, "phone": SISTER_PHONE,
         "birth_date": "1997-02-02"},
        {"name": "Oumou Mahmoud", "account": HER, "counterparty": SHOP},
        {"name": "OUMOU MAHMOUD", "phone": SISTER_PHONE, "counterparty": SHOP},
    ))
    assert together(result.assignments, "b1|t0|originator", "b1|t2|originator")
    assert together(result.assignments, "b1|t1|originator", "b1|t3|originator")
    assert not together(result.assignments, "b1|t0|originator", "b1|t1|originator")
    assert "same_name_same_counterparty" not in set(result.links.get_column("code"))


def test_known_namesakes_that_disagree_stay_apart_in_a_later_batch() -> None:
    first = resolve(records(
        {"name": "Oumou Mint Mahmoud", "account": HER, "id_number": "A948029180"},
        {"name": "Oumou Mahmoud", "account": SISTER, "phone": SISTER_PHONE,
         "id_number": "A347184299"}))
    second = resolve(records({"name": "Oumou Mahmoud", "account": HER, "counterparty": SHOP},
                             {"name": "Oumou Mahmoud", "phone": SISTER_PHONE,
                              "counterparty": SHOP}, batch="b2"), first.known)
    assert second.merged.is_empty()
    assert not together(second.assignments, "b2|t0|originator", "b2|t1|originator")
