"""Loading rule folders: every problem reported at once, with file, rule and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aml_screen.rules import RuleError, load_rules

PARAMETERS = {
    "fx_to_xof": {"XOF": 1, "EUR": "655.957"},
    "channel_kinds": {"cash": ["espèces"]},
    "params": {"threshold": {"XOF": 5000000, "EUR": 7500}, "min_count": 3},
    "sets": {"sahel": ["ML", "NE"]},
    "words": {"drugs": ["cocaine"]},
}
EXAMPLES = [
    {"fires": True, "transactions": [{"amount": 6000000, "originator_account": "A"}]},
    {"fires": False, "transactions": [{"amount": 100, "originator_account": "A"}]},
]


def rule(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "R-1", "title": {"en": "Big", "fr": "Gros"},
        "description": {"en": "A big one", "fr": "Un gros"}, "severity": "high",
        "references": ["FATF 2018, Financial flows from human trafficking"],
        "kind": "transaction", "condition": "amount >= param.threshold",
        "examples": EXAMPLES,
    }
    return {k: v for k, v in {**base, **fields}.items() if v is not None}


def write(folder: Path, files: dict[str, list[dict[str, Any]]],
          parameters: dict[str, Any] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "parameters.yaml").write_text(yaml.safe_dump(parameters or PARAMETERS),
                                            encoding="utf-8")
    for name, rules in files.items():
        text = yaml.safe_dump({"typology": "generic", "rules": rules}, allow_unicode=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[tuple[str, str, str, str]]:
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    return [(Path(p.file).name, p.rule, p.field, p.key) for p in caught.value.problems]


def test_a_valid_folder_loads(tmp_path: Path) -> None:
    rule_set = load_rules(write(tmp_path, {"a.yaml": [rule()]}))
    [loaded] = rule_set.rules
    assert (loaded.id, loaded.kind, loaded.severity, loaded.typology) == (
        "R-1", "transaction", 75.0, "generic")
    assert loaded.parameters_used == {"param.threshold": {"XOF": 5000000, "EUR": 7500}}
    assert [e.fires for e in loaded.examples] == [True, False]


AGGREGATE = {"kind": "aggregate", "condition": None, "group_by": "beneficiary_account",
             "window": "7d", "aggregates": {"n": "count()"}, "having": "n >= 3"}


@pytest.mark.parametrize(
    ("fields", "field", "key"),
    [
        ({"condition": "colour == 'red'"}, "condition", "rules.expr.unknown_column"),
        ({"condition": "amount > 'x'"}, "condition", "rules.expr.type_mismatch"),
        ({"condition": "amount + 1"}, "condition", "rules.expr.result_type"),
        ({"condition": "originator_country in set.nowhere"}, "condition",
         "rules.expr.unknown_set"),
        ({"condition": "amount >"}, "condition", "rules.expr.unexpected"),
        ({"condition": None}, "condition", "rules.missing_field"),
        ({**AGGREGATE, "window": "7 days"}, "window", "rules.bad_window"),
        ({**AGGREGATE, "window": "0d"}, "window", "rules.bad_window"),
        ({**AGGREGATE, "step": "8d"}, "step", "rules.step_too_long"),
        ({**AGGREGATE, "group_by": "purpose"}, "group_by", "rules.bad_choice"),
        ({**AGGREGATE, "aggregates": {"n": "sum(purpose)"}}, "aggregates.n",
         "rules.expr.type_mismatch"),
        ({**AGGREGATE, "aggregates": {"n": "amount"}}, "aggregates.n",
         "rules.expr.column_outside_aggregate"),
        ({**AGGREGATE, "having": "n >= param.threshold"}, "having",
         "rules.expr.currency_param_here"),
        ({"title": {"en": "only English"}}, "title", "rules.not_bilingual"),
        ({"severity": "extreme"}, "severity", "rules.bad_severity"),
        ({"severity": 120}, "severity", "rules.bad_severity"),
        ({"references": ["FATF"]}, "references", "rules.bad_references"),
        ({"typology": "fraud"}, "typology", "rules.bad_choice"),
        ({"kind": "magic"}, "kind", "rules.bad_choice"),
        ({"colour": "red"}, "colour", "rules.unknown_field_kind"),
        ({"examples": None}, "examples", "rules.examples_missing"),
        ({"examples": EXAMPLES[:1]}, "examples", "rules.examples_one_sided"),
        ({"examples": [{"fires": True, "transactions": [{"amount": "lots"}]}, EXAMPLES[1]]},
         "examples[0]", "rules.bad_example_value"),
        ({"id": "1 bad id"}, "id", "rules.bad_id"),
    ],
)
def test_each_error_class_names_file_rule_and_field(tmp_path: Path, fields: dict[str, Any],
                                                    field: str, key: str) -> None:
    folder = write(tmp_path, {"broken.yaml": [rule(**fields)]})
    found = problems_of(folder)
    rule_id = "#1" if field == "id" else "R-1"
    assert ("broken.yaml", rule_id, field, key) in found


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = write(tmp_path, {
        "a.yaml": [rule(), rule(id="R-2", condition="nope > 1")],
        "b.yaml": [rule(severity="huge"), rule(id="R-3", window="1d")],
    })
    found = problems_of(folder)
    assert ("a.yaml", "R-2", "condition", "rules.expr.unknown_column") in found
    assert ("b.yaml", "R-1", "severity", "rules.bad_severity") in found
    assert ("b.yaml", "R-1", "id", "rules.duplicate_id") in found
    assert ("b.yaml", "R-3", "window", "rules.unknown_field_kind") in found
    assert len(found) == 4


def test_problem_lines_are_bilingual(tmp_path: Path) -> None:
    folder = write(tmp_path, {"a.yaml": [rule(condition="nope > 1")]})
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    english = str(caught.value)
    french = caught.value.message("fr")
    assert "a.yaml: rule R-1: field condition: unknown column 'nope'" in english
    assert "règle R-1 : champ condition : colonne inconnue 'nope'" in french


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"params": {"threshold": {"XOF": 10000000}}},
         {"XOF": 10000000, "EUR": 7500}),
        ({"params": {"threshold": 42}}, 42),
        ({}, {"XOF": 5000000, "EUR": 7500}),
    ],
)
def test_deployment_parameters_override_the_folder(tmp_path: Path, override: dict[str, Any],
                                                   expected: object) -> None:
    folder = write(tmp_path / "rules", {"a.yaml": [rule()]})
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text(yaml.safe_dump(override), encoding="utf-8")
    loaded = load_rules(folder, deployment)
    value = loaded.parameters.params["threshold"]
    assert (dict(value) if isinstance(value, dict) else value) == expected


@pytest.mark.parametrize(
    ("parameters", "field", "key"),
    [
        ({**PARAMETERS, "colours": {}}, "colours", "rules.params.unknown_section"),
        ({**PARAMETERS, "params": {"t": "lots"}}, "params.t", "rules.params.bad_number"),
        ({**PARAMETERS, "sets": {"s": []}}, "sets.s", "rules.params.bad_list"),
        ({**PARAMETERS, "fx_to_xof": {"EUR": -1}}, "fx_to_xof.EUR", "rules.params.bad_number"),
    ],
)
def test_bad_parameters_are_reported(tmp_path: Path, parameters: dict[str, Any], field: str,
                                     key: str) -> None:
    folder = write(tmp_path, {"a.yaml": [rule(condition="amount > 1")]}, parameters)
    assert ("parameters.yaml", "-", field, key) in problems_of(folder)


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope")[0][3] == "rules.no_dir"
    assert problems_of(tmp_path)[0][3] == "rules.no_files"
