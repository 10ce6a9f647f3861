"""The tokens names are compared by: readable tokens and their transcription-free skeletons.

``normalise_names`` gives the readable normalised name (shown to investigators). Matching
goes further (rules and the reason for each in ``folding.yaml``):

* particles written glued to a name are split from it (Abdelkader → abdel kader, so that
  word order never matters; Alamin → al amin, Agmoussa → ag moussa; never from a given name
  of ``given_names.yaml``, Alioune, nor from a misspelt name that is never split: Alferd)
  and filiation particles and the article (Ould, Ag, Ben, Mint, Al) are left out;
* each token is folded to a skeleton where French and English transcriptions agree
  (Mohamed / Muhammad / Mouhamed → muhamad; Cheikh / Sheikh → xaik; Djibril / Jibril);
* a misspelt legal form (``Compnay``, ``Limitde``) is dropped like the legal form itself;
* given names that are forms of one name (Mamadou / Mohamed, Abdoulaye / Abdullahi) share a
  ``group`` (``given_names.yaml``), matched with a lower similarity than the same skeleton.

Everything runs as polars expressions; splitting and folding run on distinct words and
tokens, each read once per process (``memo``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import ascii_lowercase
from typing import Any

import numpy as np
import polars as pl
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from aml_screen.names.memo import StringMemo
from aml_screen.names.normalise import normalise_names, stopwords

_HERE = Path(__file__).parent
MISSPELT_FORM_LENGTH = 7
"""Legal forms this long or longer (company, limited, corporation) are recognised with one
typing error (two from ``MISSPELT_FORM_TWO_SLIPS`` letters on); shorter ones (ltd, sarl) are
too close to names."""
MISSPELT_FORM_TWO_SLIPS = 12
"""Cooperation is a word two letters from Cooperative, not a misspelt legal form."""
MISSPELT_NAME_LENGTH = 6
"""Shorter tokens one letter from a name never split are names of their own (Aldin is not a
misspelt Alain)."""
FUZZY_THREADS_MIN = 10_000
TOKEN_SCHEMA = {"row": pl.UInt32(), "pos": pl.UInt32(), "token": pl.String(),
                "skeleton": pl.String(), "group": pl.String(), "glued": pl.String()}


@cache
def _rules() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((_HERE / "folding.yaml").read_text(encoding="utf-8"))
    return data


@cache
def given_name_spellings() -> tuple[str, ...]:
    """Every spelling of ``given_names.yaml`` as a readable token (lower case ASCII)."""
    data = yaml.safe_load((_HERE / "given_names.yaml").read_text(encoding="utf-8"))
    return tuple(sorted({spelling for group in data["groups"] for spelling in group}))


@cache
def given_name_after_particle() -> str:
    """Regex of a token that is a ``glued_to_given_name`` particle then a given name."""
    particles = "|".join(_rules()["glued_to_given_name"])
    return rf"^(?:{particles})(?:{'|'.join(given_name_spellings())})$"


def split_particles(tokens: pl.Expr) -> pl.Expr:
    """Each readable token with a glued particle split off (``abdelkader`` → ``abdel
    kader``, ``agmoussa`` → ``ag moussa``); a token may become two words. Given names and
    the ``unsplit`` names stay whole (``alioune``, ``albert``)."""
    rules = _rules()
    spellings = given_name_spellings()
    particles = "|".join(rules["glued_to_given_name"])
    glued = rf"^({particles})({'|'.join(spellings)})$"
    split = tokens.str.replace(rules["split_prefix"], rules["split_into"])
    return (
        pl.when(tokens.is_in(rules["unsplit"]) | tokens.is_in(spellings)).then(tokens)
        .when(tokens.str.contains(glued)).then(tokens.str.replace(glued, "$1 $2"))
        .otherwise(split)
    )


def fold_tokens(tokens: pl.Expr) -> pl.Expr:
    """The transcription-free skeleton of each (readable) token."""
    folded = tokens
    for pattern, replacement in _rules()["letters"]:
        folded = folded.str.replace_all(pattern, replacement)
    for letter in ascii_lowercase:
        folded = folded.str.replace_all(f"{letter}{{2,}}", letter)
    return folded


@cache
def given_name_groups() -> dict[str, str]:
    """Skeleton of each given-name spelling → skeleton of its group's first spelling."""
    data = yaml.safe_load((_HERE / "given_names.yaml").read_text(encoding="utf-8"))
    rows = [(spelling, group[0]) for group in data["groups"] for spelling in group]
    frame = pl.DataFrame(rows, schema={"spelling": pl.String, "first": pl.String},
                         orient="row")
    for column in ("spelling", "first"):
        normalised = normalise_names(frame.get_column(column))
        frame = frame.with_columns(
            pl.DataFrame({"n": normalised}).select(fold_tokens(pl.col("n"))).to_series()
            .alias(column))
    return dict(frame.iter_rows())


HONORIFIC_TOKEN_LENGTH = 4
"""Honorifics this long or longer (Cheikh, Maulana, Imam, Hadj) are known as tokens wherever
they stand; shorter ones (Me, Ms, Sir) are too close to names (Ma, Si) to be told apart."""


@cache
def honorific_skeletons() -> frozenset[str]:
    """Skeletons of the one-word honorifics of ``HONORIFIC_TOKEN_LENGTH`` letters or more:
    inside a name they stay (Khalid Sheikh Mohammed) but say little about who it is."""
    words = [w for w in stopwords("honorifics")
             if " " not in w and len(w) >= HONORIFIC_TOKEN_LENGTH]
    folded = pl.DataFrame({"n": words}).select(fold_tokens(pl.col("n"))).to_series()
    return frozenset(folded.to_list())


def fuzzy_workers(comparisons: int) -> int:
    """Threads for rapidfuzz's ``cdist``/``cpdist`` over ``comparisons`` string pairs: one
    for a few thousand (a look-up's tokens), where starting a thread pool costs more than
    the comparisons; all cores beyond."""
    return 1 if comparisons < FUZZY_THREADS_MIN else -1


def _one_slip_from(tokens: pl.Series, words: list[str], long_word: int = 10) -> np.ndarray:
    """Per token: written with one typing error (two from ``long_word`` letters on) from
    one of ``words``, and not as one of them."""
    values = tokens.to_list()
    if not values or not words:
        return np.zeros(len(values), dtype=bool)
    edits = process.cdist(values, words, scorer=OSA.distance, dtype=np.int32,
                          workers=fuzzy_workers(len(values) * len(words)))
    allowed = np.where(np.array([len(w) for w in words]) >= long_word, 2, 1)
    return np.asarray(((edits > 0) & (edits <= allowed)).any(axis=1), dtype=bool)


def misspelt_legal_forms(tokens: pl.Series) -> pl.Series:
    """Whether each (distinct, readable) token is a legal form of ``MISSPELT_FORM_LENGTH``
    letters or more written with a typing error."""
    forms = [w for w in stopwords("legal_forms") if len(w) >= MISSPELT_FORM_LENGTH]
    long_enough = tokens.str.len_chars().to_numpy() >= 5
    return pl.Series(tokens.name, _one_slip_from(tokens, forms, MISSPELT_FORM_TWO_SLIPS)
                     & long_enough)


def misspelt_unsplit(tokens: pl.Series) -> pl.Series:
    """Whether each (distinct, readable) token of ``MISSPELT_NAME_LENGTH`` letters or more is
    one of the ``unsplit`` names written with a typing error (Alferd, Aleexander): split, it
    would lose its match with the name."""
    long_enough = tokens.str.len_chars().to_numpy() >= MISSPELT_NAME_LENGTH
    return pl.Series(tokens.name, _one_slip_from(tokens, list(_rules()["unsplit"]))
                     & long_enough)


def _split_words(words: list[str]) -> list[list[str]]:
    """Each readable word as the tokens it holds: a glued particle split off, unless the word
    is a given name, a name never split or a misspelling of one (``split_particles``)."""
    frame = pl.DataFrame({"token": words}, schema={"token": pl.String})
    return frame.select(
        pl.when(misspelt_unsplit(frame.get_column("token"))
                & ~pl.col("token").str.contains(given_name_after_particle()))
        .then("token").otherwise(split_particles(pl.col("token"))).str.split(" ")
    ).to_series().to_list()


def _token_facts(tokens: list[str]) -> list[tuple[str, str | None, bool]]:
    """(``skeleton``, given-name ``group``, whether a misspelt legal form) of each readable
    token."""
    frame = pl.DataFrame({"token": tokens}, schema={"token": pl.String})
    return frame.select(
        skeleton=fold_tokens(pl.col("token")),
        legal_form=misspelt_legal_forms(frame.get_column("token")),
    ).select(
        "skeleton",
        pl.col("skeleton").replace_strict(given_name_groups(), default=None,
                                          return_dtype=pl.String).alias("group"),
        "legal_form",
    ).rows()


_PIECES = StringMemo(_split_words)
_FACTS = StringMemo(_token_facts)


def _words(normalised: pl.Series) -> pl.DataFrame:
    """(``row``, ``word``, ``token``): each word of each name, numbered."""
    pattern, replacement = _rules()["joined"]
    return (
        pl.DataFrame({"n": normalised})
        .select(row=pl.int_range(pl.len(), dtype=pl.UInt32),
                token=pl.col("n").str.replace_all(pattern, replacement).str.split(" "))
        .explode("token")
        .filter(pl.col("token").is_not_null() & (pl.col("token") != ""))
        .with_row_index("word")
    )


def name_tokens(normalised: pl.Series) -> pl.DataFrame:
    """One row per token of each normalised name: ``row`` (position in ``normalised``),
    ``pos`` (token position), readable ``token``, ``skeleton``, given-name ``group``
    (null when the token is in no group) and ``glued``: the token written glued to the
    particle before it (``belkassem`` for ``kassem`` in "Bel Kassem" or "Belkassem",
    ``alfay`` for ``fay`` in "Al-Fay"), null when no particle precedes it. Null and empty
    names give no rows.

    How a word splits and what a token folds to depend on the word or token alone: they
    are read once per distinct word or token and kept (``memo.StringMemo``)."""
    words = _words(normalised)
    pieces = _PIECES(words.get_column("token").unique().to_list())
    tokens = words.join(
        pl.DataFrame({"token": list(pieces), "piece": list(pieces.values())},
                     schema={"token": pl.String, "piece": pl.List(pl.String)}),
        on="token", maintain_order="left").explode("piece")
    # Rows are in name then word order: the token before is the previous row's, when it is
    # of the same name; a piece after the first of its word follows a particle split off.
    previous = pl.when(pl.col("row") == pl.col("row").shift(1)).then(pl.col("piece").shift(1))
    split_off = pl.col("word") == pl.col("word").shift(1)
    tokens = tokens.select(
        "row", pl.col("piece").alias("token"),
        glued=pl.when(split_off | previous.is_in(_rules()["articles"]))
        .then(pl.concat_str(previous, "piece")))
    facts = _FACTS(tokens.get_column("token").unique().to_list())
    legal_forms = [token for token, (_, _, legal_form) in facts.items() if legal_form]
    dropped = pl.col("token").is_in(_rules()["dropped_particles"] + legal_forms)
    tokens = tokens.filter(~dropped | dropped.all().over("row")).with_columns(
        pos=pl.int_range(pl.len(), dtype=pl.UInt32).over("row"))
    skeletons, groups, _ = zip(*facts.values(), strict=True) if facts else ((), (), ())
    table = pl.DataFrame({"token": list(facts), "skeleton": skeletons, "group": groups},
                         schema={"token": pl.String, "skeleton": pl.String, "group": pl.String})
    return tokens.join(table, on="token", how="left", maintain_order="left").select(
        list(TOKEN_SCHEMA))
