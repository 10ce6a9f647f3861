"""The part of a list index a few names can reach, cut out without going over the index.

Matching a handful of names (a single-name look-up) against the whole index joins,
deduplicates and groups every list token, vocabulary row and typo variant on each call,
though the names reach a few thousand of them. ``within_reach`` takes instead, through
tables built once per index (``ReachTables``), every list key holding a token that one of
the names' tokens could be similar to (``vocabulary.similar_tokens``: the same skeleton, a
given name of the same group, a typo variant in common, an initial and its letter), and
gives the index of those keys alone, its weights still the whole index's (as
``index.restrict_index`` keeps them). Matching the names against it gives the hits of
matching them against the whole index: every token pair they can form and every key
those pairs reach is in it, and each kept row is the index's own, in the index's order.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from aml_screen.match.index import ListIndex

Rows = npt.NDArray[np.intp]
_NONE = np.empty(0, dtype=np.uint32)


@dataclass(frozen=True)
class ReachTables:
    """What ``within_reach`` reads from an index, by skeleton rather than by row."""

    skeleton_ids: dict[str, int]
    """Each skeleton of the index's tokens and vocabulary → an id (position in an array)."""
    skeleton_keys: list[npt.NDArray[np.uint32]]
    """Per skeleton id, the keys holding a token with that skeleton."""
    group_skeletons: dict[str, list[str]]
    """Each given-name group → the skeletons of its list tokens."""
    letter_skeletons: dict[str, list[str]]
    """Each first letter → the list skeletons of two letters or more starting with it."""
    token_keys: npt.NDArray[np.uint32]
    """``key_id`` of each row of ``index.tokens``."""
    token_wkeys: npt.NDArray[np.intp]
    """Row of ``index.frequencies`` holding the weight key of each row of
    ``index.tokens``."""
    name_keys: npt.NDArray[np.uint32]
    """``key_id`` of each row of ``index.names``."""
    vocab_skeletons: npt.NDArray[np.intp]
    """Skeleton id of each row of ``index.vocab``."""
    deletions: pl.DataFrame
    """``index.deletions`` sorted by variant, for taking a few variants' rows by search."""


def _reach_tables(index: ListIndex) -> ReachTables:
    tokens, vocab = index.tokens, index.vocab
    skeletons = pl.concat([tokens.get_column("skeleton"), vocab.get_column("skeleton")])
    skeleton_ids = {s: i for i, s in enumerate(skeletons.unique(maintain_order=True).to_list())}
    skeleton_keys: list[npt.NDArray[np.uint32]] = [np.empty(0, np.uint32)] * len(skeleton_ids)
    for skeleton, keys in tokens.group_by("skeleton").agg(
            pl.col("key_id").unique().sort()).iter_rows():
        skeleton_keys[skeleton_ids[skeleton]] = np.asarray(keys, dtype=np.uint32)
    distinct = vocab.select("skeleton", "group").unique()
    group_skeletons: dict[str, list[str]] = {}
    letter_skeletons: dict[str, list[str]] = {}
    for skeleton, group in distinct.iter_rows():
        if group is not None:
            group_skeletons.setdefault(group, []).append(skeleton)
        if len(skeleton) > 1:
            letter_skeletons.setdefault(skeleton[0], []).append(skeleton)
    wkey_rows = {w: i for i, w in enumerate(index.frequencies.get_column("wkey").to_list())}
    wkeys = tokens.select(pl.coalesce("group", "skeleton")).to_series().to_list()
    return ReachTables(
        skeleton_ids=skeleton_ids,
        skeleton_keys=skeleton_keys,
        group_skeletons=group_skeletons,
        letter_skeletons=letter_skeletons,
        token_keys=tokens.get_column("key_id").to_numpy(),
        token_wkeys=np.array([wkey_rows[w] for w in wkeys], dtype=np.intp),
        name_keys=index.names.get_column("key_id").to_numpy(),
        vocab_skeletons=np.array([skeleton_ids[s] for s in vocab.get_column("skeleton")],
                                 dtype=np.intp),
        deletions=index.deletions.sort("variant"),
    )


_TABLES: weakref.WeakKeyDictionary[ListIndex, ReachTables] = weakref.WeakKeyDictionary()
_TABLES_LOCK = threading.Lock()


def reach_tables(index: ListIndex) -> ReachTables:
    """``index``'s tables, built on first use and kept as long as the index is (a web
    process builds them once per list version, under a lock: concurrent look-ups wait for
    one build)."""
    with _TABLES_LOCK:
        tables = _TABLES.get(index)
        if tables is None:
            tables = _TABLES[index] = _reach_tables(index)
        return tables


def _variants(forms: Iterable[str]) -> list[str]:
    """Each form and each of its one-letter deletions: every variant ``vocabulary.deletions``
    can give the forms (it leaves short forms out; more variants only widen the reach)."""
    return sorted({v for f in forms for v in (f, *(f[:i] + f[i + 1:] for i in range(len(f))))})


def _reached_skeletons(query_tokens: pl.DataFrame, tables: ReachTables
                       ) -> tuple[set[str], Rows]:
    """The list skeletons the query tokens can be similar to, and the rows of the sorted
    deletions holding one of their variants."""
    rows = query_tokens.select("token", "skeleton", "group", "glued").unique().rows()
    skeletons = {skeleton for _, skeleton, _, _ in rows}
    reached = set(skeletons)
    for skeleton in skeletons:
        if len(skeleton) == 1:  # an initial: every list name starting with its letter
            reached.update(tables.letter_skeletons.get(skeleton, ()))
        else:  # a listed initial of its first letter
            reached.add(skeleton[0])
    for group in {group for _, _, group, _ in rows if group is not None}:
        reached.update(tables.group_skeletons.get(group, ()))
    variants = pl.Series(_variants(form for row in rows for form in (row[0], row[1], row[3])
                                   if form))
    sorted_variants = tables.deletions.get_column("variant")
    starts = sorted_variants.search_sorted(variants, side="left").to_numpy()
    ends = sorted_variants.search_sorted(variants, side="right").to_numpy()
    deletion_rows = np.concatenate([np.arange(a, b, dtype=np.intp)
                                    for a, b in zip(starts, ends, strict=True) if b > a]
                                   + [np.empty(0, np.intp)])
    reached.update(tables.deletions.get_column("skeleton").gather(deletion_rows).to_list())
    return reached, deletion_rows


def within_reach(index: ListIndex, query_tokens: pl.DataFrame) -> ListIndex:
    """``index`` with only the keys ``query_tokens`` (``Queries.tokens``: ``token``,
    ``skeleton``, ``group``, ``glued``) can reach, and the vocabulary rows and typo variants
    they can pair with; ``keys`` and ``frequencies`` weigh tokens as the whole index does
    (``frequencies`` keeps the rows of the kept tokens' weight keys)."""
    tables = reach_tables(index)
    skeletons, deletion_rows = _reached_skeletons(query_tokens, tables)
    ids = [i for s in skeletons if (i := tables.skeleton_ids.get(s)) is not None]
    held = np.zeros(len(tables.skeleton_ids), dtype=bool)
    held[ids] = True
    kept = np.zeros(index.size, dtype=bool)
    kept[np.concatenate([tables.skeleton_keys[i] for i in ids] + [_NONE])] = True
    token_rows = np.flatnonzero(kept[tables.token_keys])
    weight_keys = np.zeros(index.frequencies.height, dtype=bool)
    weight_keys[tables.token_wkeys[token_rows]] = True
    return ListIndex(
        names=_rows(index.names, np.flatnonzero(kept[tables.name_keys])),
        keys=index.keys,
        tokens=_rows(index.tokens, token_rows),
        vocab=_rows(index.vocab, np.flatnonzero(held[tables.vocab_skeletons])),
        deletions=_rows(tables.deletions, np.sort(deletion_rows)),
        frequencies=_rows(index.frequencies, np.flatnonzero(weight_keys)),
    )


def _rows(frame: pl.DataFrame, rows: Rows) -> pl.DataFrame:
    return frame.gather(pl.Series(rows, dtype=pl.UInt32))
