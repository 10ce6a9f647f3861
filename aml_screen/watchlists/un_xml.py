"""UN Security Council consolidated list (official XML, ``sc-sanctions.xsd``) to list entries.

Each ``INDIVIDUAL`` (person) or ``ENTITY`` (organisation) gives one row per name: the
primary name (name parts joined), the original-script name as an alias, and its aliases
(``Low`` quality as weak aliases); a field packing several names (``A; B``, or a name with
its other-script spelling in brackets) gives each of them. Birth dates come from the
date-of-birth blocks, the aliases' own dates of birth, and month/year notes such as
``Nov. 1973`` that the list writes where it has no structured date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from aml_screen.countries import normalise_country
from aml_screen.errors import WatchlistError
from aml_screen.watchlists.frame import ParsedList, entries_frame
from aml_screen.watchlists.safexml import iter_elements, root_attributes

_ENTITY_TYPES = {"INDIVIDUAL": "person", "ENTITY": "organisation"}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_NAME_PART_DEFAULT = "na"  # sc-sanctions.xsd's default for an unused name part
_WEAK_QUALITIES = {"Low"}  # Good, a.k.a., f.k.a. and unrated aliases are plain aliases
_KIND_RANK = {"primary": 0, "alias": 1, "weak_alias": 2}
_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_NOTE_YEAR = re.compile(r"\b(?:18|19|20)\d{2}\b")
_NOTE_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")
_BRACKETED = re.compile(r"([^()]+?)\s*\((?:original script:\s*)?([^()]+)\)\s*,?")
_TOP_LEVEL_SEMICOLON = re.compile(r";(?![^()]*\))")  # a ";" outside brackets
_LATIN_END = 0x250  # end of the Latin Extended-B block
_DOCUMENT_LABELS = {
    "passport": "Passport", "numéro de passeport": "Passport",
    "número de pasaporte": "Passport", "national identification number":
    "National Identification Number", "national identification": "National Identification Number",
}
"""The list's document types (in its three languages) → the labels of OFAC-style remarks."""
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_un_xml(path: Path, list_id: str = "un_sc") -> ParsedList:
    """Parse the UN consolidated list at ``path``; ``version_date`` is ``dateGenerated``."""
    version_date = root_attributes(path).get("dateGenerated")
    rows: list[dict[str, Any]] = []
    for element in iter_elements(path, set(_ENTITY_TYPES)):
        if _text(element, "DELISTED_ON") is None:
            rows.extend(_entry_rows(element, list_id))
    if not rows:
        raise WatchlistError(
            "watchlists.xml.no_entries", path=str(path), expected="<INDIVIDUAL>/<ENTITY>",
            list_name="UN Security Council consolidated list",
        )
    return ParsedList(entries_frame(rows), version_date)


def _entry_rows(element: Element, list_id: str) -> list[dict[str, Any]]:
    tag = element.tag
    nationalities = _countries(element.findall("NATIONALITY/VALUE"))
    places = [
        *element.findall(f"{tag}_ADDRESS/COUNTRY"),
        *element.findall("INDIVIDUAL_PLACE_OF_BIRTH/COUNTRY"),
        *element.findall("INDIVIDUAL_ALIAS/COUNTRY_OF_BIRTH"),
    ]
    entry = {
        "list_id": list_id,
        "entry_id": _text(element, "REFERENCE_NUMBER"),
        "entity_type": _ENTITY_TYPES[tag],
        "birth_dates": _birth_dates(element),
        "nationalities": nationalities,
        "countries": list(dict.fromkeys([*nationalities, *_countries(places)])),
        "programmes": [p for p in [_text(element, "UN_LIST_TYPE")] if p],
        "listed_on": _date(_text(element, "LISTED_ON")),
        "remarks": _remarks(element),
    }
    return [{**entry, "name": name, "name_kind": kind} for name, kind in _names(element)]


def _names(element: Element) -> list[tuple[str, str]]:
    """(name, kind) pairs, each name once (case-insensitively) under its strongest kind;
    names packed in one field are split (see ``_split_names``)."""
    parts = (_text(element, part) for part in _NAME_PARTS)
    primary, *also = _split_names(" ".join(p for p in parts if p and p != _NAME_PART_DEFAULT))
    candidates = [(primary, "primary"), *((name, "alias") for name in also)]
    candidates += [(name, "alias") for name in _split_names(_text(element, "NAME_ORIGINAL_SCRIPT"))]
    for alias in element.iter(f"{element.tag}_ALIAS"):
        kind = "weak_alias" if _text(alias, "QUALITY") in _WEAK_QUALITIES else "alias"
        candidates += [(name, kind) for name in _split_names(_text(alias, "ALIAS_NAME"))]
    strongest: dict[str, tuple[str, str]] = {}
    for name, kind in candidates:
        if not name:
            continue
        held = strongest.get(name.casefold())
        if held is None or _KIND_RANK[kind] < _KIND_RANK[held[1]]:
            strongest[name.casefold()] = (name, kind)
    return list(strongest.values())


def _split_names(text: str | None) -> list[str]:
    """The names one name field packs together: ``A; B`` gives both, and so does a name
    followed by its other-script or several spellings in brackets, ``حسن غول (Hassan Ghul;
    Hasan Gul)`` or ``Amir Khazmat (original script: Амир Хазмат)``. Other brackets
    (``(LRM)``, ``(birth name)``) are part of the name as written."""
    text = (text or "").strip()
    parts = [part.strip() for part in _TOP_LEVEL_SEMICOLON.split(text)]
    if len(parts) > 1:
        return [name for part in parts if part for name in _split_names(part)]
    bracketed = _BRACKETED.fullmatch(text)
    if bracketed:
        outer, inner = bracketed.group(1, 2)
        if ";" in inner or _is_latin(outer) != _is_latin(inner):
            return [outer, *_split_names(inner)]
    return [text]


def _is_latin(text: str) -> bool:
    return all(ord(ch) < _LATIN_END for ch in text if ch.isalpha())


def _birth_dates(element: Element) -> list[str]:
    """ISO or partial dates, each once: ``DATE``, ``YEAR``, every year from ``FROM_YEAR``
    to ``TO_YEAR``, else a month/year note; then the aliases' own dates of birth."""
    dates: list[str] = []
    for block in element.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        exact = _text(block, "DATE") or _text(block, "YEAR")
        first, last = _text(block, "FROM_YEAR"), _text(block, "TO_YEAR")
        if exact:
            dates.append(exact)
        elif first and last and first.isdigit() and last.isdigit():
            low, high = sorted((int(first), int(last)))
            dates.extend(str(year) for year in range(low, high + 1))
        else:
            dates.extend(_note_dates(_text(block, "NOTE")))
    dates.extend(d for a in element.iter("INDIVIDUAL_ALIAS") if (d := _text(a, "DATE_OF_BIRTH")))
    return list(dict.fromkeys(d for d in dates if _PARTIAL_DATE.fullmatch(d)))


def _remarks(element: Element) -> str | None:
    """``COMMENTS1``, then the identity documents (``INDIVIDUAL_DOCUMENT``) written the way
    the other lists write them in their remarks (``Passport AB850901 (United Republic of
    Tanzania).``), which is where ``match.documents`` reads every list's documents from."""
    documents = []
    for block in element.iter("INDIVIDUAL_DOCUMENT"):
        number, kind = _text(block, "NUMBER"), _text(block, "TYPE_OF_DOCUMENT")
        if number:
            label = _DOCUMENT_LABELS.get((kind or "").casefold(), "Identification Number")
            country = _text(block, "ISSUING_COUNTRY") or _text(block, "COUNTRY_OF_ISSUE")
            documents.append(f"{label} {number}" + (f" ({country})." if country else "."))
    text = " ".join(t for t in [_text(element, "COMMENTS1"), *documents] if t)
    return text or None


def _note_dates(note: str | None) -> list[str]:
    """``Nov. 1973`` → ``1973-11``; ``Between Aug. and Sep. 1977`` → both months; a note
    without exactly one Gregorian year (age ranges, Hijri dates) gives nothing."""
    years = _NOTE_YEAR.findall(note or "")
    if len(years) != 1:
        return []
    months = _NOTE_MONTH.findall((note or "").casefold())
    if not months:
        return years
    return [f"{years[0]}-{_MONTHS.index(month) + 1:02d}" for month in months]


def _countries(elements: Iterable[Element]) -> list[str]:
    codes = (normalise_country(el.text) for el in elements)
    return list(dict.fromkeys(code for code in codes if code))


def _text(element: Element, path: str) -> str | None:
    """The text at ``path`` with whitespace runs (the list wraps long lines) collapsed."""
    text = " ".join((element.findtext(path) or "").split())
    return text or None


def _date(text: str | None) -> date | None:
    try:
        # LISTED_ON is an xs:date, which may carry a zone offset: 2016-11-30-05:00
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
