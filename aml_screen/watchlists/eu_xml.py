"""EU consolidated financial sanctions list (FSD XML export, ``fsdexport-1.0.xsd`` and the
v1.1 files in the same namespace) to list entries.

A ``sanctionEntity`` lists its names once per regulation language, so the same text often
comes several times: each name is kept once under its strongest kind. The primary name is
the first strong name written in its regulation's own language (no other ``nameLanguage``),
else the first strong name, else the first name; ``strong="false"`` names are weak aliases.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from aml_screen.countries import normalise_country
from aml_screen.errors import WatchlistError
from aml_screen.watchlists.frame import ParsedList, entries_frame
from aml_screen.watchlists.safexml import iter_elements, root_attributes

NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
_NS = {"fsd": NAMESPACE}
_ENTITY = f"{{{NAMESPACE}}}sanctionEntity"
_SUBJECT_TYPES = {"person": "person", "enterprise": "organisation", "P": "person",
                  "E": "organisation"}
_UNKNOWN_COUNTRY = "00"  # the export's code for "country unknown"


def parse_eu_xml(path: Path, list_id: str = "eu_fsf") -> ParsedList:
    """Parse an EU FSD XML export; ``version_date`` is the root's ``generationDate``.

    Entries whose ``delistingDate`` is on or before the generation date are left out.
    """
    version_date = root_attributes(path).get("generationDate")
    generated_on = _date((version_date or "")[:10])
    rows: list[dict[str, Any]] = []
    for element in iter_elements(path, {_ENTITY}):
        delisted_on = _date(element.get("delistingDate"))
        if delisted_on is None or generated_on is None or delisted_on > generated_on:
            rows.extend(_entry_rows(element, list_id))
    if not rows:
        raise WatchlistError(
            "watchlists.xml.no_entries", path=str(path), expected="<sanctionEntity>",
            list_name="EU consolidated financial sanctions (FSD XML)",
        )
    return ParsedList(entries_frame(rows), version_date)


def _entry_rows(element: Element, list_id: str) -> list[dict[str, Any]]:
    regulations = element.findall("fsd:regulation", _NS)
    nationalities = _codes(element.findall("fsd:citizenship", _NS))
    places = _codes([*element.findall("fsd:address", _NS),
                     *element.findall("fsd:birthdate", _NS)])
    subject = element.find("fsd:subjectType", _NS)
    subject_code = "" if subject is None else (
        subject.get("code") or subject.get("classificationCode") or "")
    published = [el.get("publicationDate") for el in element.iter()
                 if el.tag in (f"{{{NAMESPACE}}}regulation", f"{{{NAMESPACE}}}regulationSummary")]
    listed = [d for d in map(_date, [element.get("designationDate"), *published]) if d]
    remarks = [" ".join((r.text or "").split()) for r in element.findall("fsd:remark", _NS)]
    entry = {
        "list_id": list_id,
        "entry_id": element.get("logicalId"),
        "entity_type": _SUBJECT_TYPES.get(subject_code, "other"),
        "birth_dates": list(dict.fromkeys(
            d for b in element.findall("fsd:birthdate", _NS) for d in _birth_dates(b))),
        "nationalities": nationalities,
        "countries": list(dict.fromkeys([*nationalities, *places])),
        "programmes": list(dict.fromkeys(p for r in regulations if (p := r.get("programme")))),
        "listed_on": min(listed, default=None),
        "remarks": " | ".join(r for r in remarks if r) or None,
    }
    return [{**entry, "name": name, "name_kind": kind} for name, kind in _names(element)]


def _names(element: Element) -> list[tuple[str, str]]:
    """(name, kind) pairs: one primary, then every other name once (case-insensitively)."""
    aliases = element.findall("fsd:nameAlias", _NS)
    named = [(alias, name) for alias in aliases if (name := _whole_name(alias))]
    strong = [(alias, name) for alias, name in named if alias.get("strong") != "false"]
    own_language = [
        (alias, name) for alias, name in strong
        if alias.get("nameLanguage") in (None, "", alias.get("regulationLanguage"))
    ]
    ranked = own_language or strong or named
    if not ranked:
        return []
    primary = ranked[0][1]
    kinds = {primary.casefold(): (primary, "primary")}
    for alias, name in named:
        kind = "weak_alias" if alias.get("strong") == "false" else "alias"
        held = kinds.get(name.casefold())
        if held is None or (held[1], kind) == ("weak_alias", "alias"):
            kinds[name.casefold()] = (name, kind)
    return list(kinds.values())


def _whole_name(alias: Element) -> str:
    whole = alias.get("wholeName") or " ".join(
        alias.get(part) or "" for part in ("firstName", "middleName", "lastName"))
    return " ".join(whole.split())


def _birth_dates(birth: Element) -> list[str]:
    """ISO or partial dates from a ``birthdate``: the full date, else year with month and
    day where given, else every year of ``yearRangeFrom``..``yearRangeTo``. Dates in
    another calendar than the Gregorian one are left out."""
    if birth.get("calendarType", "GREGORIAN") != "GREGORIAN":
        return []
    if full := birth.get("birthdate"):
        return [full]
    year, month, day = (birth.get(a) for a in ("year", "monthOfYear", "dayOfMonth"))
    if year:
        parts = [year.zfill(4), *([month.zfill(2)] if month else []),
                 *([day.zfill(2)] if month and day else [])]
        return ["-".join(parts)]
    first, last = birth.get("yearRangeFrom"), birth.get("yearRangeTo")
    if first and last and first.isdigit() and last.isdigit():
        low, high = sorted((int(first), int(last)))
        return [str(y) for y in range(low, high + 1)]
    return []


def _codes(elements: list[Element]) -> list[str]:
    codes = (el.get("countryIso2Code") for el in elements)
    normalised = (normalise_country(c) for c in codes if c and c != _UNKNOWN_COUNTRY)
    return list(dict.fromkeys(c for c in normalised if c))


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
