"""Why a name matched: the scorer's parts and which tokens paired with which.

Runs only on hits (a small fraction of the pairs scored), so plain Python is fine here.
The explanation is JSON so that it travels unchanged to the hits file, the database and the UI.
"""

from __future__ import annotations

import json

import numpy as np
from rapidfuzz import fuzz, process

SCORER = "token_sort_ratio"


def token_pairs(query: str, candidate: str) -> list[dict[str, object]]:
    """Each query token with its most similar candidate token (each candidate token used once,
    best pairs first) and their similarity; tokens left without a partner pair with None."""
    q_tokens, c_tokens = query.split(), candidate.split()
    if not q_tokens or not c_tokens:
        return []
    matrix = process.cdist(q_tokens, c_tokens, scorer=fuzz.ratio, dtype=np.float32)
    order = np.dstack(np.unravel_index(np.argsort(-matrix, axis=None), matrix.shape))[0]
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: dict[int, dict[str, object]] = {}
    for qi, ci in order:
        if qi in used_q or ci in used_c:
            continue
        used_q.add(int(qi))
        used_c.add(int(ci))
        pairs[int(qi)] = {"query": q_tokens[qi], "list": c_tokens[ci],
                          "similarity": round(float(matrix[qi, ci]), 1)}
    result = [pairs.get(i, {"query": tok, "list": None, "similarity": 0.0})
              for i, tok in enumerate(q_tokens)]
    result += [{"query": None, "list": tok, "similarity": 0.0}
               for i, tok in enumerate(c_tokens) if i not in used_c]
    return result


def explain(query_normalised: str, list_normalised: str, score: float) -> str:
    """JSON explanation of one hit: both normalised names, the score, the scorer and its parts."""
    parts = {
        "token_sort_ratio": round(fuzz.token_sort_ratio(query_normalised, list_normalised), 1),
        "token_set_ratio": round(fuzz.token_set_ratio(query_normalised, list_normalised), 1),
        "ratio": round(fuzz.ratio(query_normalised, list_normalised), 1),
        "partial_ratio": round(fuzz.partial_ratio(query_normalised, list_normalised), 1),
    }
    return json.dumps(
        {
            "query_normalised": query_normalised,
            "list_normalised": list_normalised,
            "score": score,
            "scorer": SCORER,
            "parts": parts,
            "tokens": token_pairs(query_normalised, list_normalised),
        },
        ensure_ascii=False,
    )
