"""Why a name matched: each token pair with its similarity and weights, and every adjustment.

Runs only on hits (a small fraction of the pairs scored), so plain Python is fine here.
The explanation is JSON so that it travels unchanged to the hits file, the database and the
UI. Keys: ``query_normalised``, ``list_normalised``, ``score``, ``scorer``, ``parts`` (the
name score before adjustments and the token weights behind it), ``tokens`` (query token,
list token, similarity, relation, both weights; a token without a partner has None on the
other side) and ``adjustments`` (reason → points).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz

SCORER = "weighted_tokens"
SCORERS = (SCORER,)
"""Scoring methods a hit may name (``matching.scorer.<name>`` says each in words)."""
RELATIONS = ("same", "transcription", "equivalent", "typo", "joined", "initial",
             "listed_initial", "unmatched")
"""How two tokens of a hit relate (``matching.relation.<relation>`` says it in words)."""
ADJUSTMENTS = ("low_information", "weak_alias", "entity_type", "birth_year", "nationality",
               "id_document", "phone")
"""Every adjustment a hit can carry (``matching.adjustment.<name>``)."""


def token_rows(query: Sequence[tuple[str, float]], listed: Sequence[tuple[str, float]],
               aligned: Sequence[Mapping[str, Any]]) -> list[dict[str, object]]:
    """The aligned pairs (by position) then the tokens of either side left without a
    partner. ``query`` and ``listed`` are (token, weight) by position; ``aligned`` rows
    have ``qpos``, ``kpos``, ``similarity`` and ``relation``."""
    rows: list[dict[str, object]] = []
    used_q: set[int] = set()
    used_k: set[int] = set()
    for edge in sorted(aligned, key=lambda e: int(e["qpos"])):
        qpos, kpos = int(edge["qpos"]), int(edge["kpos"])
        used_q.add(qpos)
        used_k.add(kpos)
        rows.append({
            "query": query[qpos][0], "list": listed[kpos][0],
            "similarity": round(float(edge["similarity"]), 2), "relation": edge["relation"],
            "query_weight": round(query[qpos][1], 2), "list_weight": round(listed[kpos][1], 2),
        })
    rows += [{"query": tok, "list": None, "similarity": 0.0, "relation": "unmatched",
              "query_weight": round(w, 2), "list_weight": 0.0}
             for i, (tok, w) in enumerate(query) if i not in used_q]
    rows += [{"query": None, "list": tok, "similarity": 0.0, "relation": "unmatched",
              "query_weight": 0.0, "list_weight": round(w, 2)}
             for i, (tok, w) in enumerate(listed) if i not in used_k]
    return rows


def explain(query_normalised: str, list_normalised: str, score: float, *,
            name_score: float | None = None, tokens: Sequence[Mapping[str, object]] = (),
            adjustments: Mapping[str, float] | None = None) -> str:
    """JSON explanation of one hit."""
    return json.dumps(
        {
            "query_normalised": query_normalised,
            "list_normalised": list_normalised,
            "score": score,
            "scorer": SCORER,
            "parts": {
                "name_score": score if name_score is None else round(name_score, 1),
                "token_sort_ratio": round(
                    fuzz.token_sort_ratio(query_normalised, list_normalised), 1),
                "query_weight": round(sum(float(str(t["query_weight"])) for t in tokens), 2),
                "list_weight": round(sum(float(str(t["list_weight"])) for t in tokens), 2),
            },
            "tokens": list(tokens),
            "adjustments": {k: v for k, v in (adjustments or {}).items() if v},
        },
        ensure_ascii=False,
    )


def with_adjustments(explanation: str, score: float, adjustments: Mapping[str, float]) -> str:
    """``explanation`` with more adjustments (e.g. birth year) and the new final score."""
    data = json.loads(explanation)
    data["adjustments"].update({k: v for k, v in adjustments.items() if v})
    data["score"] = score
    return json.dumps(data, ensure_ascii=False)
