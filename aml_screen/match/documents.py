"""Identity documents and phone numbers of list entries, and how numbers are compared.

No official list parser gives these as fields yet: the OFAC lists write them in an entry's
remarks (``Passport 1084010 (Egypt); National ID No. 0123 (Colombia); Phone No.
263-4-486946``), the UK list's "Other Information" and custom lists' observations do the
same. They are read from ``remarks`` here once per list version (``build_index``); a list
parser that gives documents as fields can fill the same columns.

* ``documents``: list of (``kind``, ``number``, ``country``) with ``kind`` one of
  ``passport``, ``national_id``, ``tax_id``, ``other_id``; ``number`` compared by
  ``document_key``; ``country`` an ISO alpha-2 code when the list's text resolves, else
  null;
* ``phones``: list of ``phone_key`` values.
"""

from __future__ import annotations

import polars as pl

from aml_screen.countries import country_codes

DOCUMENT_KINDS = {
    "passport": "passport", "passeport": "passport", "pasaporte": "passport",
    "national id no": "national_id", "national id": "national_id",
    "national identification number": "national_id", "cedula no": "national_id",
    "cni": "national_id", "nin": "national_id", "nina": "national_id",
    "carte d identite": "national_id", "identity card": "national_id",
    "tax id no": "tax_id", "nit": "tax_id", "rfc": "tax_id",
    "identification number": "other_id", "id no": "other_id",
}
"""How lists and batches name a document, lower case without punctuation → kind."""
_REMARK_DOCUMENT = (
    r"(?i)\b(Passport|National ID No\.|National Identification Number|Cedula No\.|"
    r"Tax ID No\.|NIT #|Identification Number)\s+([A-Z0-9][A-Z0-9 ./-]*?[A-Z0-9]?)"
    r"\s*(?:\(([^()]*)\))?\s*(?:[;.]|$)"
)
_REMARK_PHONE = r"(?i)\b(?:Phone|Telephone|Tel\.?)(?:\s+(?:No\.|Number))?:?\s+([+0-9() .-]{6,})"
MIN_DOCUMENT_LENGTH = 5
"""Shorter numbers (a four-digit card number) match other people's by chance."""
PHONE_DIGITS = 8
"""Phones are compared on their last eight digits: the national number without the
country code or trunk prefix (+223 76 12 34 56, 0022376123456 and 76123456 agree)."""
DOCUMENT_SCHEMA = pl.List(pl.Struct({"kind": pl.String, "number": pl.String,
                                     "country": pl.String}))


def document_key(number: pl.Expr) -> pl.Expr:
    """A document number as compared: upper case letters and digits only (``A-123 456`` →
    ``A123456``); null when shorter than ``MIN_DOCUMENT_LENGTH``."""
    key = number.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return pl.when(key.str.len_chars() >= MIN_DOCUMENT_LENGTH).then(key)


def phone_key(phone: pl.Expr) -> pl.Expr:
    """A phone number as compared: its last ``PHONE_DIGITS`` digits (null when it has
    fewer)."""
    digits = phone.str.replace_all(r"\D", "")
    return pl.when(digits.str.len_chars() >= PHONE_DIGITS).then(digits.str.tail(PHONE_DIGITS))


def document_kind(label: pl.Expr) -> pl.Expr:
    """The kind (``DOCUMENT_KINDS``) a document label names; ``other_id`` when unknown."""
    folded = (label.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
              .str.replace(r" no$", " no"))
    return folded.replace_strict(DOCUMENT_KINDS, default="other_id", return_dtype=pl.String)


def listed_documents(remarks: pl.Series) -> pl.Series:
    """Per remark, the identity documents it states (empty list when none)."""
    found = (
        pl.DataFrame({"r": remarks}).with_row_index("row")
        .select("row", m=pl.col("r").str.extract_all(_REMARK_DOCUMENT)).explode("m")
        .filter(pl.col("m").is_not_null())
        .select("row", kind=document_kind(pl.col("m").str.extract(_REMARK_DOCUMENT, 1)),
                number=document_key(pl.col("m").str.extract(_REMARK_DOCUMENT, 2)),
                country=pl.col("m").str.extract(_REMARK_DOCUMENT, 3))
        .filter(pl.col("number").is_not_null())
    )
    found = found.with_columns(country=country_codes(found.get_column("country")))
    grouped = found.group_by("row").agg(documents=pl.struct("kind", "number", "country"))
    return (
        pl.DataFrame({"row": pl.int_range(remarks.len(), dtype=pl.UInt32, eager=True)})
        .join(grouped, on="row", how="left").sort("row")
        .select(pl.col("documents").fill_null([]).cast(DOCUMENT_SCHEMA))
        .to_series()
    )


def listed_phones(remarks: pl.Series) -> pl.Series:
    """Per remark, the ``phone_key`` of each phone number it states (empty list when none)."""
    return pl.DataFrame({"r": remarks}).select(
        pl.col("r").str.extract_all(_REMARK_PHONE).list.eval(
            phone_key(pl.element().str.extract(_REMARK_PHONE, 1))).list.drop_nulls()
        .fill_null([]).cast(pl.List(pl.String)).alias("phones")
    ).to_series()
