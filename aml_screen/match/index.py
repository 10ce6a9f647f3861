"""The prepared form of the watchlists that screening runs against, built once per list
version: list names, their tokens and the token statistics that candidate generation and
scoring need."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aml_screen.match.documents import DOCUMENT_SCHEMA, listed_documents, listed_phones
from aml_screen.match.vocabulary import deletions
from aml_screen.match.weights import document_frequencies
from aml_screen.names.normalise import normalise_names
from aml_screen.names.tokens import name_tokens
from aml_screen.schema import with_entry_extras


@dataclass(frozen=True, eq=False)
class ListIndex:
    """Every list name with its normalised form, and the distinct token keys to match.

    ``names`` has the list-entry columns plus ``list_version``, ``documents``, ``phones``,
    ``name_normalised`` and ``key_id`` (position in ``keys``). Many list names share one
    key (the same alias on several lists, or spelled with different punctuation or
    transcription), so each key is scored once. ``tokens`` holds each key's tokens
    (``key_id``, ``pos``, ``token``, ``skeleton``, ``group``), ``vocab`` the distinct
    tokens with skeleton and group, ``deletions`` their one-letter deletions (for typo
    lookup) and ``frequencies`` the number of keys holding each weight key.

    An index is compared and hashed by identity (``eq=False``), so that tables derived
    from it can be kept for as long as it lives (``match.reach``).
    """

    names: pl.DataFrame
    keys: list[str]
    tokens: pl.DataFrame
    vocab: pl.DataFrame
    deletions: pl.DataFrame
    frequencies: pl.DataFrame

    @property
    def size(self) -> int:
        return len(self.keys)


def token_keys(tokens: pl.DataFrame, rows: int, column: str = "skeleton") -> pl.Series:
    """Per row of the tokenised names, its tokens' ``column`` sorted and joined (null
    without tokens). Names with the same skeleton key are one name in other spellings;
    names with the same ``token`` key are the same for matching (scored once: a spelling
    that differs from the list's still scores as a transcription, whatever other
    spellings the batch holds)."""
    keyed = tokens.group_by("row").agg(key=pl.col(column).sort().str.join(" "))
    return (
        pl.DataFrame({"row": pl.int_range(rows, dtype=pl.UInt32, eager=True)})
        .join(keyed, on="row", how="left").sort("row").get_column("key")
    )


def token_vocabulary(tokens: pl.DataFrame, owner: str) -> pl.DataFrame:
    """One row per distinct (token, glued form): ``token``, ``skeleton``, ``group``,
    ``glued`` and ``df``, the number of distinct ``owner`` ids (keys, queries) holding its
    skeleton."""
    counts = tokens.group_by("skeleton").agg(df=pl.col(owner).n_unique())
    return tokens.select("token", "skeleton", "group", "glued").unique(
        subset=["token", "glued"]).join(counts, on="skeleton")


def with_documents(entries: pl.DataFrame) -> pl.DataFrame:
    """``entries`` with ``documents`` and ``phones`` (see ``match.documents``) read from
    their ``remarks``, unless the list parser already gave them."""
    remarks = (entries.get_column("remarks").cast(pl.String) if "remarks" in entries.columns
               else pl.Series("remarks", [None] * entries.height, dtype=pl.String))
    if "documents" not in entries.columns:
        entries = entries.with_columns(documents=listed_documents(remarks).cast(DOCUMENT_SCHEMA))
    if "phones" not in entries.columns:
        entries = entries.with_columns(phones=listed_phones(remarks))
    return entries


def build_index(entries: pl.DataFrame) -> ListIndex:
    """Index list-entry rows (``LIST_ENTRY_SCHEMA`` plus a ``list_version`` column; the
    ``LIST_ENTRY_EXTRAS`` a list lacks are added as nulls)."""
    entries = with_documents(with_entry_extras(entries))
    normalised = normalise_names(entries.get_column("name"))
    tokens = name_tokens(normalised)
    frame = entries.with_columns(
        name_normalised=normalised, _key=token_keys(tokens, entries.height, "token")
    ).with_row_index("_row").filter(pl.col("_key").is_not_null())
    keys = frame.select(pl.col("_key").unique(maintain_order=True)).to_series()
    key_ids = pl.DataFrame({"_key": keys, "key_id": pl.int_range(keys.len(), dtype=pl.UInt32,
                                                                 eager=True)})
    frame = frame.join(key_ids, on="_key", how="left")
    first_rows = frame.group_by("key_id").agg(pl.col("_row").min())  # first seen
    key_tokens = (
        tokens.join(first_rows, left_on="row", right_on="_row")
        .select("key_id", "pos", "token", "skeleton", "group", "glued").sort("key_id", "pos")
    )
    vocab = token_vocabulary(key_tokens, "key_id")
    return ListIndex(
        names=frame.drop("_key", "_row"),
        keys=keys.to_list(),
        tokens=key_tokens,
        vocab=vocab,
        deletions=deletions(vocab),
        frequencies=document_frequencies(key_tokens, "key_id"),
    )


INDEX_NAME_COLUMNS = ("list_id", "entry_id", "name_kind", "name")
"""What tells one list name of an index from another (``restrict_index``)."""


def restrict_index(index: ListIndex, names: pl.DataFrame) -> ListIndex:
    """``index`` matching only the list names of ``names`` (``INDEX_NAME_COLUMNS``): its
    candidates and hits come from those alone, while what weighs tokens stays the whole
    index's (``keys``, ``frequencies`` and the vocabulary's counts), so that a name scores
    against the few as it would against the whole list."""
    kept = index.names.join(names.select(INDEX_NAME_COLUMNS).unique(),
                            on=list(INDEX_NAME_COLUMNS), how="semi")
    tokens = index.tokens.join(kept.select("key_id").unique(), on="key_id", how="semi")
    vocab = index.vocab.join(tokens.select("token", "glued").unique(), on=["token", "glued"],
                             how="semi", nulls_equal=True)
    return ListIndex(names=kept, keys=index.keys, tokens=tokens, vocab=vocab,
                     deletions=deletions(vocab), frequencies=index.frequencies)
