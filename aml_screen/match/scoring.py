"""Scoring every distinct query name against every list key with rapidfuzz.

The score is rapidfuzz's ``ratio`` on alphabetically sorted tokens, i.e. ``token_sort_ratio``
computed without re-sorting tokens for each of the n×m pairs: keys are sorted once, so the
inner loop is rapidfuzz's C++ ``cdist`` over plain strings, on all cores. Queries go in chunks
so the score matrix stays small (chunk × keys × 4 bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

CHUNK = 512

HIT_PAIRS_SCHEMA = {"query_id": pl.UInt32(), "key_id": pl.UInt32(), "score": pl.Float64()}


def score_keys(
    queries: Sequence[str],
    keys: Sequence[str],
    threshold: float,
    *,
    workers: int = -1,
    on_progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """(query_id, key_id, score) for every pair scoring at least ``threshold`` (0-100).

    ``on_progress`` is called with the number of queries finished after each chunk.
    """
    parts: list[pl.DataFrame] = []
    if not keys:
        if on_progress:
            on_progress(len(queries))
        return pl.DataFrame(schema=HIT_PAIRS_SCHEMA)
    for start in range(0, len(queries), CHUNK):
        chunk = queries[start : start + CHUNK]
        matrix = process.cdist(
            chunk, keys, scorer=fuzz.ratio, score_cutoff=threshold, dtype=np.float32,
            workers=workers,
        )
        rows, cols = np.nonzero(matrix >= threshold)
        if rows.size:
            parts.append(
                pl.DataFrame(
                    {
                        "query_id": (rows + start).astype(np.uint32),
                        "key_id": cols.astype(np.uint32),
                        "score": matrix[rows, cols].astype(np.float64).round(1),
                    },
                    schema=HIT_PAIRS_SCHEMA,
                )
            )
        if on_progress:
            on_progress(len(chunk))
    if not parts:
        return pl.DataFrame(schema=HIT_PAIRS_SCHEMA)
    return pl.concat(parts)
