"""Score adjustments, in points, from what is known besides the two names.

Pure polars expressions over optional columns, so that each adjustment is one vectorised
step and appears by name in the hit's explanation:

* ``low_information``: the names share only common tokens (two very common given names,
  "Mahamadou Saidou" against the alias "Muhammad Saeed"): the less shared weight under
  ``EVIDENCE_MIN``, the more points off;
* ``weak_alias``: the list itself calls the alias weak (OFAC "weak a.k.a.", UN low-quality
  alias): a match on it is weaker evidence;
* ``entity_type``: the batch name carries a legal form (SARL, Ltd) and the entry is a
  person, or an honorific (El Hadj, Mme) and the entry is an organisation, vessel or aircraft;
* ``birth_year``: the party's birth year is among the entry's (small bonus) or more than a
  year away from all of them (strong evidence of a different person);
* ``nationality``: the party's nationality or country is among the entry's, or not;
* ``id_document``: the party's ID or passport number is one of the entry's documents
  (strong evidence of the same person), or the entry has a document issued by the party's
  country and it is another number (some evidence of a different person; people hold
  several documents, so less than a different birth year);
* ``phone``: the party's phone number (mobile-money accounts are phone numbers) is one the
  list gives for the entry. Lists seldom give phones, and a person has several: a phone
  that differs says nothing.

Documents and phones of list entries come from ``match.documents``. ``MAX_BONUS`` (how far
under the threshold names are matched when a batch has party attributes) leaves the ID and
phone bonuses out: matching names that far under the threshold would multiply the pairs to
score, and a document match on a name that weak is a lead for the FIU's own searches, not a
name-screening hit.
"""

from __future__ import annotations

import polars as pl

from aml_screen.match.documents import document_key, phone_key

EVIDENCE_MIN = 14.0
EVIDENCE_SLOPE = 2.5
RARE_TOKEN = 7.0
"""A match on a token this rare (a hundred list names or fewer) is never low-information:
Al-Mourabitoun alone says who it is."""
WEAK_ALIAS = -8.0
ENTITY_TYPE_MISMATCH = -15.0
BIRTH_YEAR_SAME = 5.0
BIRTH_YEAR_DIFFERENT = -20.0
NATIONALITY_SAME = 3.0
NATIONALITY_DIFFERENT = -5.0
ID_DOCUMENT_SAME = 15.0
ID_DOCUMENT_DIFFERENT = -10.0
PHONE_SAME = 10.0
MAX_BONUS = BIRTH_YEAR_SAME + NATIONALITY_SAME
"""The most an adjustment can add: names this far under the threshold may still hit."""
NON_PERSONS = ("organisation", "vessel", "aircraft")


def low_information(evidence: pl.Expr, heaviest: pl.Expr) -> pl.Expr:
    common_only = heaviest < RARE_TOKEN
    return pl.when(common_only).then(
        -EVIDENCE_SLOPE * (EVIDENCE_MIN - evidence).clip(lower_bound=0.0)).otherwise(0.0)


def weak_alias(name_kind: pl.Expr) -> pl.Expr:
    return pl.when(name_kind == "weak_alias").then(pl.lit(WEAK_ALIAS)).otherwise(0.0)


def entity_type(hint: pl.Expr, listed_type: pl.Expr) -> pl.Expr:
    mismatch = ((hint == "organisation") & (listed_type == "person")) | (
        (hint == "person") & listed_type.is_in(NON_PERSONS))
    return pl.when(mismatch).then(pl.lit(ENTITY_TYPE_MISMATCH)).otherwise(0.0)


def birth_year(party_birth_date: pl.Expr, listed_birth_dates: pl.Expr) -> pl.Expr:
    """``party_birth_date`` is text starting with the year (``1971``, ``1971-05-02``)."""
    year = party_birth_date.cast(pl.String).str.extract(r"^\s*(\d{4})").cast(pl.Int32)
    years = listed_birth_dates.list.eval(
        pl.element().str.extract(r"^(\d{4})").cast(pl.Int32)).list.drop_nulls()
    nearest = (years - year).list.eval(pl.element().abs()).list.min()
    return (
        pl.when(year.is_null() | nearest.is_null()).then(0.0)
        .when(nearest == 0).then(pl.lit(BIRTH_YEAR_SAME))
        .when(nearest > 1).then(pl.lit(BIRTH_YEAR_DIFFERENT))
        .otherwise(0.0)
    )


def nationality(party_country: pl.Expr, listed_countries: pl.Expr) -> pl.Expr:
    """``party_country`` is an ISO alpha-2 code; ``listed_countries`` the entry's codes."""
    known = party_country.is_not_null() & (listed_countries.list.len() > 0)
    return (
        pl.when(~known.fill_null(value=False)).then(0.0)
        .when(listed_countries.list.contains(party_country)).then(pl.lit(NATIONALITY_SAME))
        .otherwise(pl.lit(NATIONALITY_DIFFERENT))
    )


def id_document(party_id_number: pl.Expr, party_country: pl.Expr,
                listed_documents: pl.Expr) -> pl.Expr:
    """``party_id_number`` is the number as the batch writes it (``A-123 456``);
    ``party_country`` the party's ISO alpha-2 nationality (null when unknown);
    ``listed_documents`` the entry's (``kind``, ``number``, ``country``) structs."""
    number = document_key(party_id_number)
    numbers = listed_documents.list.eval(pl.element().struct.field("number"))
    same_country = listed_documents.list.eval(
        pl.element().struct.field("country")).list.contains(party_country)
    return (
        pl.when(number.is_null() | (listed_documents.list.len() == 0).fill_null(value=True))
        .then(0.0)
        .when(numbers.list.contains(number)).then(pl.lit(ID_DOCUMENT_SAME))
        .when(party_country.is_not_null() & same_country.fill_null(value=False))
        .then(pl.lit(ID_DOCUMENT_DIFFERENT))
        .otherwise(0.0)
    )


def phone(party_phone: pl.Expr, listed_phones: pl.Expr) -> pl.Expr:
    """``party_phone`` as written (+223 76 12 34 56); ``listed_phones`` the entry's
    ``phone_key`` values."""
    key = phone_key(party_phone)
    return (
        pl.when(key.is_not_null() & listed_phones.list.contains(key).fill_null(value=False))
        .then(pl.lit(PHONE_SAME)).otherwise(0.0)
    )
