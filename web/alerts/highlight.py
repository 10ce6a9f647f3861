"""Matching tokens highlighted inside a name, safely: every piece of the (untrusted) name is
escaped, and only the ``<mark>`` tags this module adds are markup."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
from markupsafe import Markup, escape

from aml_screen.names.normalise import normalise_names

MIN_SIMILARITY = 0.8
"""A token pair at least this similar (0-1; explanations on a 0-100 scale are rescaled)
counts as matching."""
MIN_PART = 3
"""A matched token this long may be part of a word (``bel`` + ``mokhtar`` in BELMOKHTAR)."""
_WORDS = re.compile(r"(\s+)")


def matching_tokens(explanation: Mapping[str, Any], side: str) -> set[str]:
    """Normalised tokens of one side (``query`` or ``list``) that matched the other."""
    pairs: Iterable[Mapping[str, Any]] = explanation.get("tokens") or []
    found = set()
    for pair in pairs:
        similarity = float(pair.get("similarity") or 0)
        if similarity > 1:
            similarity /= 100
        if pair.get(side) and similarity >= MIN_SIMILARITY:
            found.add(str(pair[side]))
    return found


def _matches(normalised: str, tokens: set[str]) -> bool:
    parts = normalised.split()
    if tokens.intersection(parts):
        return True
    joined = "".join(parts)
    return any(len(t) >= MIN_PART and (joined.startswith(t) or joined.endswith(t))
               for t in tokens)


def highlight(name: str, tokens: set[str]) -> Markup:
    """``name`` escaped, with each word whose normalised form holds a matching token marked."""
    pieces = _WORDS.split(name)
    words = [p for p in pieces if p and not p.isspace()]
    if not words or not tokens:
        return escape(name)
    normalised = dict(zip(words, normalise_names(pl.Series(words, dtype=pl.String)).to_list(),
                          strict=True))
    out = Markup()
    for piece in pieces:
        norm = normalised.get(piece)
        if norm and _matches(norm, tokens):
            out += Markup("<mark>") + escape(piece) + Markup("</mark>")
        else:
            out += escape(piece)
    return out
