"""Loading a rules folder: every ``*.yaml`` file but ``parameters.yaml`` holds one typology's
rules. Every problem of every file is collected, then raised at once as a ``RuleError``.

    typology: migrant_smuggling          # default for the file's rules
    references: ["FATF 2022, Money laundering and terrorist financing from migrant smuggling"]
    rules:
      - id: MS-01
        title: {en: ..., fr: ...}
        description: {en: ..., fr: ...}
        severity: high                   # low | medium | high | critical | 0-100
        kind: aggregate                  # transaction | aggregate | sequence | list
        ...                              # the kind's fields (see ``kinds``)
        examples: [...]                  # see ``examples``
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aml_screen.i18n import LANGUAGES
from aml_screen.rules.examples import parse_examples
from aml_screen.rules.grammar import names_in, parse
from aml_screen.rules.kinds import KIND_FIELDS, build_rule
from aml_screen.rules.model import KINDS, SCOPES, SEVERITIES, TYPOLOGIES, Rule, RuleSet
from aml_screen.rules.parameters import Parameters, load_parameters, read_yaml
from aml_screen.rules.problems import Problems, Report

PARAMETERS_FILE = "parameters.yaml"
COMMON_FIELDS = frozenset({"id", "title", "description", "typology", "severity", "references",
                           "kind", "examples", "scope"})
EXPRESSION_FIELDS = ("condition", "filter", "having", "in_filter", "out_filter")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(p for p in rules_dir.glob("*.yaml") if p.name != PARAMETERS_FILE)


def load_rules(rules_dir: Path, parameters_override: Path | None = None) -> RuleSet:
    """The rule set of ``rules_dir`` with its ``parameters.yaml`` (and ``parameters_override``
    on top); ``RuleError`` listing every problem if anything is wrong."""
    problems = Problems()
    if not rules_dir.is_dir():
        problems.add(str(rules_dir), "-", "-", "rules.no_dir")
        problems.raise_if_any()
    params = load_parameters(rules_dir / PARAMETERS_FILE, parameters_override, problems)
    files = rule_files(rules_dir)
    if not files:
        problems.add(str(rules_dir), "-", "-", "rules.no_files")
    rules = [rule for path in files for rule in _load_file(path, params, problems)]
    _check_duplicates(files, problems)
    problems.raise_if_any()
    return RuleSet(tuple(rules), params, tuple(str(p) for p in files))


def _check_duplicates(files: list[Path], problems: Problems) -> None:
    """Ids used twice, whether or not the rules carrying them are otherwise valid."""
    seen: dict[str, str] = {}
    for path in files:
        data = read_yaml(path, Problems()) or {}
        entries = data.get("rules")
        for entry in entries if isinstance(entries, list) else []:
            rule_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(rule_id, str):
                continue
            if rule_id in seen:
                problems.add(str(path), rule_id, "id", "rules.duplicate_id", other=seen[rule_id])
            seen.setdefault(rule_id, str(path))


def _load_file(path: Path, params: Parameters, problems: Problems) -> list[Rule]:
    data = read_yaml(path, problems)
    if data is None:
        return []
    where = str(path)
    unknown = set(data) - {"typology", "references", "rules"}
    for key in sorted(unknown, key=str):
        problems.add(where, "-", str(key), "rules.unknown_field")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        problems.add(where, "-", "rules", "rules.no_rules")
        return []
    defaults: dict[str, Any] = {k: data[k] for k in ("typology", "references") if k in data}
    loaded = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.add(where, f"#{index + 1}", "-", "rules.not_a_mapping")
            continue
        rule = _load_rule(path, {**defaults, **entry}, index, params, problems)
        if rule is not None:
            loaded.append(rule)
    return loaded


def _load_rule(path: Path, entry: dict[str, Any], index: int, params: Parameters,
               problems: Problems) -> Rule | None:
    where = str(path)
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        problems.add(where, f"#{index + 1}", "id", "rules.bad_id", value=rule_id)
        rule_id = f"#{index + 1}"
    before = len(problems.items)

    def add(field_name: str, key: str, **params_: Any) -> None:
        problems.add(where, rule_id, field_name, key, **params_)

    texts = {name: _bilingual(entry.get(name), name, add) for name in ("title", "description")}
    typology = entry.get("typology")
    if typology not in TYPOLOGIES:
        add("typology", "rules.bad_choice", value=typology, expected=", ".join(TYPOLOGIES))
    severity = _severity(entry.get("severity"), add)
    references = entry.get("references")
    if not (isinstance(references, list) and references
            and all(isinstance(r, str) and re.search(r"\b(19|20)\d\d\b", r) for r in references)):
        add("references", "rules.bad_references")
        references = []
    scope = entry.get("scope", "batch")
    if scope not in SCOPES:
        add("scope", "rules.bad_choice", value=scope, expected=", ".join(SCOPES))
    kind = entry.get("kind")
    if kind not in KINDS:
        add("kind", "rules.bad_choice", value=kind, expected=", ".join(KINDS))
        return None
    allowed = COMMON_FIELDS | KIND_FIELDS[kind]
    for key in sorted(set(entry) - allowed, key=str):
        add(str(key), "rules.unknown_field_kind", kind=kind)
    built = build_rule(entry, kind, params, add)
    examples = parse_examples(entry.get("examples"), path.parent, add)
    if built is None or len(problems.items) > before:
        return None
    expressions = {name: str(entry[name]) for name in EXPRESSION_FIELDS if name in entry}
    expressions.update({f"aggregates.{k}": str(v) for k, v in
                        (entry.get("aggregates") or {}).items()})
    return Rule(id=rule_id, file=where, title=texts["title"], description=texts["description"],
                typology=str(typology), severity=severity, references=tuple(references),
                kind=kind, scope=str(scope), examples=tuple(examples), expressions=expressions,
                parameters_used=_parameters_used(expressions.values(), params), **built)


def _parameters_used(texts: Iterable[str], params: Parameters) -> dict[str, Any]:
    tables: dict[str, dict[str, Any]] = {"param": dict(params.params),
                                         "set": {k: sorted(v) for k, v in params.sets.items()},
                                         "words": dict(params.words)}
    used: dict[str, Any] = {}
    for text in texts:
        for name in names_in(parse(text)):
            if name.parts[0] in tables and len(name.parts) == 2:
                value = tables[name.parts[0]][name.parts[1]]
                used[name.dotted] = list(value) if isinstance(value, tuple) else value
    return used


def _bilingual(value: Any, name: str, add: Report) -> dict[str, str]:
    """English and French texts (required), and those of the other languages given (a
    unit's own pack may have none in Arabic: pages then show its English)."""
    if (isinstance(value, dict) and all(isinstance(value.get(lang), str) and value[lang].strip()
                                        for lang in ("en", "fr"))
            and all(isinstance(text, str) and text.strip() for lang, text in value.items()
                    if lang in LANGUAGES)):
        return {lang: value[lang].strip() for lang in LANGUAGES if lang in value}
    add(name, "rules.not_bilingual")
    return {}


def _severity(value: Any, add: Report) -> float:
    if isinstance(value, str) and value in SEVERITIES:
        return SEVERITIES[value]
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
        return float(value)
    add("severity", "rules.bad_severity", value=value)
    return 0.0
