"""Named rule parameters: thresholds (one number, or one per currency), country sets, word
lists, exchange rates to XOF and the channel vocabulary.

They live in ``rules/parameters.yaml``; a deployment overrides any of them in the file named
by ``settings.rule_parameters_file`` (same layout; a per-currency table is merged currency by
currency, anything else is replaced). Numbers are read as ``Decimal`` from their text, so
``4_999_999`` or ``7500.50`` never pass through a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from aml_screen.rules.problems import Problems
from aml_screen.schema import AMOUNT_SCALE

SECTIONS = ("fx_to_xof", "channel_kinds", "params", "sets", "words")
Threshold = Decimal | dict[str, Decimal]


@dataclass(frozen=True)
class Parameters:
    fx_to_xof: dict[str, Decimal] = field(default_factory=dict)
    """Units of XOF per unit of each currency (XOF and XAF at par: the CFA francs)."""
    channel_kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Kind (cash, mobile, wire, hawala…) -> words found in a bank's channel labels."""
    params: dict[str, Threshold] = field(default_factory=dict)
    sets: dict[str, frozenset[str]] = field(default_factory=dict)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def rate(self, currency: str, target: str) -> Decimal | None:
        """Units of ``target`` per unit of ``currency`` through ``fx_to_xof``; None when
        either currency has no rate."""
        if currency == target:
            return Decimal(1)
        source, goal = self.fx_to_xof.get(currency), self.fx_to_xof.get(target)
        return source / goal if source is not None and goal is not None else None


def to_decimal(value: Any) -> Decimal | None:
    """A YAML number or numeric text as a Decimal at most ``AMOUNT_SCALE`` places, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).replace("_", "").strip())
    except InvalidOperation:
        return None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and -exponent > AMOUNT_SCALE):
        return None
    return number


def read_yaml(path: Path, problems: Problems) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.add(str(path), "-", "-", "rules.file_unreadable", detail=exc.strerror)
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.add(str(path), "-", "-", "rules.bad_yaml", detail=str(exc).splitlines()[0])
        return None
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(str(path), "-", "-", "rules.not_a_mapping")
        return None
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: sections merged by name, per-currency tables by currency."""
    merged = {name: dict(section) if isinstance(section, dict) else section
              for name, section in base.items()}
    for name, section in override.items():
        if not (isinstance(section, dict) and isinstance(merged.get(name), dict)):
            merged[name] = section
            continue
        for key, value in section.items():
            old = merged[name].get(key)
            merged[name][key] = ({**old, **value} if isinstance(old, dict)
                                 and isinstance(value, dict) else value)
    return merged


def load_parameters(path: Path, override: Path | None, problems: Problems) -> Parameters:
    """Parameters of ``path`` with ``override`` (when it exists and differs) on top; every
    problem goes to ``problems``."""
    data = read_yaml(path, problems) if path.is_file() else {}
    if override is not None and override.is_file() and override.resolve() != path.resolve():
        extra = read_yaml(override, problems)
        data = merge(data or {}, extra or {})
    return _parse(data or {}, str(override if override and override.is_file() else path),
                  problems)


def _parse(data: dict[str, Any], where: str, problems: Problems) -> Parameters:
    for name in data:
        if name not in SECTIONS:
            problems.add(where, "-", str(name), "rules.params.unknown_section",
                         expected=", ".join(SECTIONS))
    sections = {name: data.get(name) or {} for name in SECTIONS}
    for name, section in sections.items():
        if not isinstance(section, dict):
            problems.add(where, "-", name, "rules.not_a_mapping")
            sections[name] = {}
    params: dict[str, Threshold] = {}
    for name, value in sections["params"].items():
        parsed = _threshold(value)
        if parsed is None:
            problems.add(where, "-", f"params.{name}", "rules.params.bad_number", value=value)
        else:
            params[str(name)] = parsed
    fx = {str(cur).upper(): to_decimal(rate) for cur, rate in sections["fx_to_xof"].items()}
    for cur, rate in fx.items():
        if rate is None or rate <= 0:
            problems.add(where, "-", f"fx_to_xof.{cur}", "rules.params.bad_number",
                         value=sections["fx_to_xof"].get(cur))
    return Parameters(
        fx_to_xof={cur: rate for cur, rate in fx.items() if rate is not None},
        channel_kinds=_word_lists(sections["channel_kinds"], "channel_kinds", where, problems),
        params=params,
        sets={name: frozenset(w.upper() for w in words) for name, words in
              _word_lists(sections["sets"], "sets", where, problems).items()},
        words=_word_lists(sections["words"], "words", where, problems),
    )


def _threshold(value: Any) -> Threshold | None:
    if isinstance(value, dict):
        table = {str(cur).upper(): to_decimal(v) for cur, v in value.items()}
        clean = {cur: v for cur, v in table.items() if v is not None}
        return clean if clean and len(clean) == len(table) else None
    return to_decimal(value)


def _word_lists(section: dict[str, Any], name: str, where: str,
                problems: Problems) -> dict[str, tuple[str, ...]]:
    lists: dict[str, tuple[str, ...]] = {}
    for key, words in section.items():
        if not (isinstance(words, list) and words
                and all(isinstance(w, str | int) for w in words)):
            problems.add(where, "-", f"{name}.{key}", "rules.params.bad_list")
            continue
        lists[str(key)] = tuple(str(w) for w in words)
    return lists
