"""A suspicious case built in the store from the sample batch (Case/CaseAlert rows created
directly), and the goAML 5.0.2 schema as the tests validate against it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import xmlschema
from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.models import Alert, Case, CaseAlert, User
from tests.store.samples import add_user, load_sample

NARRATIVE = ("Iyad Ag Ghaly (Kidal) a envoyé 1 000 000 XOF par mobile money ; "
             "correspondance avec l'entrée ONU QDi.316 <Al-Qaida> & même date de naissance.")
SCHEMA = "goaml/schemas/goAMLSchema_5.0.2_uae.xsd"
_ANCHORED = re.compile(r'(<xs:pattern value=")\^(.*?)\$(" ?/>)')
_LATIN_NAMES = "[a-zA-Z0-9 .'-]*"


@cache
def goaml_schema(shared: Path) -> xmlschema.XMLSchema11:
    """The goAML 5.0.2 schema (an XSD 1.1 document) with two adjustments, both of the UAE
    flavour rather than of goAML itself:

    - its patterns are written ``^...$`` for .NET, where those are anchors; in XSD every
      pattern is already anchored and ``^``/``$`` are plain characters, so they are removed;
    - names are restricted to ASCII letters there; a Sahel FIU's schema takes names as
      written (Aïssata Maïga, محمد), so the name pattern accepts any letter and mark.
    """
    text = (shared / SCHEMA).read_text(encoding="utf-8")
    text = _ANCHORED.sub(r"\1\2\3", text)
    text = text.replace(f'value="{_LATIN_NAMES}"', "value=\"[\\p{L}\\p{M}0-9 .'-]*\"")
    return xmlschema.XMLSchema11(text)


def suspicious_case(database: Database, *, disposition: str | None = "suspicious_reported",
                    narrative: str | None = NARRATIVE,
                    subjects: tuple[str, ...] = ("Iyad Ag Ghaly", "Amadou Kouffa")) -> int:
    """Sample batch loaded, the alerts about ``subjects`` in a closed case; returns its id.
    Creates the users fatou (investigator) and moussa (analyst) when missing."""
    with database.transaction() as session:
        known = set(session.scalars(select(User.username)))
    if "fatou" not in known:
        add_user(database, "fatou", "investigator", language="fr")
        add_user(database, "moussa", "analyst")
        load_sample(database, "fatou")
    with database.transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        alerts = session.scalars(select(Alert).where(Alert.subject_name.in_(subjects))).all()
        case = Case(title=f"Dossier {subjects[0]}", subject_type="party",
                    subject_id=subjects[0].casefold(), subject_name=subjects[0],
                    status="closed", disposition=disposition, narrative=narrative,
                    created_by_id=fatou.id)
        session.add(case)
        session.flush()
        for alert in alerts:
            session.add(CaseAlert(case_id=case.id, alert_id=alert.id, added_by_id=fatou.id))
        return case.id
