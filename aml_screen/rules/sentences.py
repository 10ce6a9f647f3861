"""A rule hit's evidence told in sentences, in the reader's language: what the alert page and
the evidence package show instead of the evidence's JSON keys (which stay one click away as
technical details).

The evidence is data written by the evaluators (``rules.hits.evidence_json``), one shape per
rule kind; this module only reads it. Numbers and amounts are written the language's way
(Babel), windows in days or hours, accounts and transaction ids as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aml_screen.i18n import catalogue, number, plural, translate
from aml_screen.watchlists.topics import relation_sentences, topic_labels

MAX_EXAMPLES = 3
"""Examples (pairs, cycles) told per hit; the technical details hold them all."""
_WINDOW = re.compile(r"^(\d+)([dhw])$")


def typology_label(typology: str, lang: str) -> str:
    """The typology's name (``terrorist_financing`` -> Financement du terrorisme)."""
    key = f"typology.{typology}"
    return translate(key, lang) if key in catalogue() else typology.replace("_", " ")


def rule_hit_sentences(evidence: dict[str, Any], lang: str) -> list[str]:
    """What the evidence shows, one sentence per fact, most telling first."""
    kind = evidence.get("kind")
    if kind == "network":
        kind = str(evidence.get("pattern"))
    tell = _TELLERS.get(str(kind))
    said = tell(evidence, lang) if tell is not None else []
    earlier = evidence.get("earlier") or []
    if earlier:
        batches = sorted({str(ref.get("batch_id")) for ref in earlier})
        said.append(plural("rules.says.earlier", lang, len(earlier),
                           count=number(len(earlier), lang),
                           batches=", ".join(f"#{b}" for b in batches)))
    return said


def _amount(value: Any, lang: str) -> str:
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return number(exact.quantize(Decimal(1)) if abs(exact) >= 100 else exact, lang)


def window_text(text: str | None, lang: str) -> str:
    """``7d`` -> "7 days" / "7 jours"; other spellings as written."""
    found = _WINDOW.match(text or "")
    if found is None:
        return text or ""
    count = int(found.group(1))
    return plural(f"rules.says.unit.{found.group(2)}", lang, count, count=number(count, lang))


def _time(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)


def _list(evidence: dict[str, Any], lang: str) -> list[str]:
    programmes = ", ".join(evidence.get("programmes") or [])
    said = [translate("rules.says.list", lang, name=evidence.get("matched_name", ""),
                      list=evidence.get("list_id", ""), entry=evidence.get("entry_id", ""),
                      score=number(evidence.get("score", 0), lang),
                      min_score=number(evidence.get("min_score", 0), lang))]
    if programmes:
        said.append(translate("rules.says.programmes", lang, programmes=programmes))
    if evidence.get("topics"):
        said.append(translate("rules.says.topics", lang,
                              topics=", ".join(topic_labels(evidence["topics"], lang))))
    said.extend(translate("rules.says.relation", lang, relation=sentence)
                for sentence in relation_sentences(evidence.get("relation"), lang))
    return said


def _transaction(evidence: dict[str, Any], lang: str) -> list[str]:
    count = int(evidence.get("transactions", 0))
    return [plural("rules.says.transaction", lang, count, count=number(count, lang),
                   total=_amount(evidence.get("total_xof"), lang),
                   largest=_amount(evidence.get("max_xof"), lang))]


def _aggregate(evidence: dict[str, Any], lang: str) -> list[str]:
    values = evidence.get("values") or {}
    shown = "; ".join(
        f"{name.removesuffix('_xof').replace('_', ' ')}: {_amount(value, lang)} XOF"
        if name.endswith("_xof") else f"{name.replace('_', ' ')}: {number(value, lang)}"
        for name, value in values.items())
    return [translate("rules.says.aggregate", lang,
                      window=window_text(evidence.get("window"), lang),
                      subject=translate(f"rules.says.group.{evidence.get('group_by')}", lang),
                      values=shown)]


def _sequence(evidence: dict[str, Any], lang: str) -> list[str]:
    count = int(evidence.get("pairs", 0))
    said = [plural("rules.says.sequence", lang, count, count=number(count, lang),
                   window=window_text(evidence.get("window"), lang))]
    for pair in (evidence.get("first_pairs") or [])[:MAX_EXAMPLES]:
        said.append(translate(
            "rules.says.sequence_pair", lang, amount_in=_amount(pair.get("in_xof"), lang),
            origin=pair.get("in_from") or "?", in_id=pair.get("in_id", ""),
            amount_out=_amount(pair.get("out_xof"), lang),
            destination=pair.get("out_to") or "?", out_id=pair.get("out_id", "")))
    return said


def _funnel(evidence: dict[str, Any], lang: str) -> list[str]:
    destinations = int(evidence.get("destinations", 0))
    share = Decimal(str(evidence.get("share", 0))) * 100
    return [
        translate("rules.says.funnel_in", lang,
                  senders=number(evidence.get("senders", 0), lang),
                  amount=_amount(evidence.get("in_xof"), lang),
                  start=_time(evidence.get("window_start")),
                  end=_time(evidence.get("window_end"))),
        plural("rules.says.funnel_out", lang, destinations,
               share=number(share.quantize(Decimal("0.1")), lang),
               amount=_amount(evidence.get("out_xof"), lang),
               count=number(destinations, lang)),
    ]


def _cycle(evidence: dict[str, Any], lang: str) -> list[str]:
    count = int(evidence.get("cycles", 0))
    said = [plural("rules.says.cycle", lang, count, count=number(count, lang),
                   window=window_text(evidence.get("window"), lang))]
    for cycle in (evidence.get("first_cycles") or [])[:MAX_EXAMPLES]:
        amounts = " → ".join(_amount(a, lang) for a in cycle.get("amounts_xof") or [])
        said.append(translate("rules.says.cycle_path", lang,
                              path=" → ".join(cycle.get("accounts") or []), amounts=amounts))
    return said


_TELLERS: dict[str, Callable[[dict[str, Any], str], list[str]]] = {
    "list": _list, "transaction": _transaction, "aggregate": _aggregate,
    "sequence": _sequence, "funnel": _funnel, "cycle": _cycle,
}
