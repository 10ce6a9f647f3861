"""Name normalisation for matching, as polars expressions over a column of names.

Steps, in order: Unicode NFKC, then NFKD with combining marks removed (é → e, Maïga → Maiga);
lower case; remaining non-Latin script (Arabic, Cyrillic, ligatures such as ß or ø) transliterated
to ASCII with anyascii; apostrophes dropped (Jama'a → jamaa), other punctuation turned into
spaces (al-Qaida → al qaida); honorifics at the front of the name and legal-form words
anywhere removed (see stopwords.yaml) unless nothing else would be left; white space
collapsed.

The function works on a Series of (distinct) names so that transliteration, the only step
done in Python, runs once per distinct non-Latin name, never per transaction.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polars as pl
import yaml
from anyascii import anyascii

_APOSTROPHES = r"['’‘`ʼʻ´]"
_STOPWORDS_FILE = Path(__file__).with_name("stopwords.yaml")


@cache
def stopwords(group: str | None = None) -> tuple[str, ...]:
    """The honorifics and legal forms of ``stopwords.yaml`` (or only those of ``group``:
    ``honorifics``, ``legal_forms``), longest first."""
    data = yaml.safe_load(_STOPWORDS_FILE.read_text(encoding="utf-8"))
    chosen = [data[group]] if group else data.values()
    return tuple(sorted({w for words in chosen for w in words}, key=len, reverse=True))


@cache
def stopword_pattern(group: str | None = None) -> str:
    """One regex matching any honorific or legal form (or only those of ``group``:
    ``honorifics``, ``legal_forms``) as whole words, longest first."""
    words = stopwords(group)
    alternatives = "|".join(re.escape(w) for w in words)
    return rf"(?:^|\s)(?:{alternatives})(?:\s|$)"


@cache
def leading_honorifics(min_length: int = 1) -> str:
    """One regex matching the run of honorifics a name starts with (El Hadj Cheikh ...),
    only those of ``min_length`` letters or more."""
    alternatives = "|".join(re.escape(w) for w in stopwords("honorifics")
                            if len(w) >= min_length)
    return rf"^(?:(?:{alternatives})(?:\s+|$))+"


def _fold_expr(col: pl.Expr) -> pl.Expr:
    return (
        col.str.normalize("NFKC")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
    )


def _clean_expr(col: pl.Expr) -> pl.Expr:
    return (
        col.str.replace_all(_APOSTROPHES, "")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )


def normalise_names(names: pl.Series) -> pl.Series:
    """Normalised form of each name (same length and order as ``names``; null stays null)."""
    folded = pl.DataFrame({"n": names}).select(_fold_expr(pl.col("n"))).to_series()
    non_ascii = folded.filter(folded.str.contains(r"[^\x00-\x7F]")).unique()
    if non_ascii.len():
        table = {value: anyascii(value).lower() for value in non_ascii.to_list()}
        folded = folded.replace(table)
    # Legal forms go wherever they stand; removal runs twice because adjacent ones share the
    # space between them. Honorifics go only from the front of the name: further in they are
    # part of it (Khalid Sheikh Mohammed, Mohamed Cheikh Sidiya) or an initial (A. M. Gorky).
    pattern = stopword_pattern("legal_forms")
    frame = pl.DataFrame({"n": folded}).with_columns(clean=_clean_expr(pl.col("n")))
    frame = frame.with_columns(
        stripped=pl.col("clean")
        .str.replace(leading_honorifics(), "")
        .str.replace_all(pattern, " ")
        .str.replace_all(pattern, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    result = frame.select(
        pl.when(pl.col("stripped") == "")
        .then(pl.col("clean").str.replace_all(r"\s+", " "))
        .otherwise(pl.col("stripped"))
        .alias(names.name)
    ).to_series()
    return result


def entity_hints(names: pl.Series) -> pl.Series:
    """What a name's own words say it is: ``organisation`` when it carries a legal form
    (SARL, Ltd, Ets), ``person`` when it starts with an honorific (El Hadj, Dr, Mme), else
    null. Matching uses it to lower the score of a company name against a listed person.

    Only a leading honorific of two letters or more says "person": further in, the word is
    part of a name (Khatiba Imam al-Bukhari is a militia), and a lone ``M`` is as often an
    initial (M. Babaie Industries) as Monsieur."""
    clean = pl.DataFrame({"n": names}).select(_clean_expr(_fold_expr(pl.col("n")))).to_series()
    frame = pl.DataFrame({"n": clean})
    return frame.select(
        pl.when(pl.col("n").str.contains(stopword_pattern("legal_forms")))
        .then(pl.lit("organisation"))
        .when(pl.col("n").str.contains(leading_honorifics(2)))
        .then(pl.lit("person"))
        .alias("entity_hint")
    ).to_series()
