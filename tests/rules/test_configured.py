from __future__ import annotations

from pathlib import Path

from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.settings import load_settings


def test_rules_folder_is_used_only_when_it_holds_rule_files(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "parameters.yaml").write_text("{}\n", encoding="utf-8")
    settings = load_settings(environ={}, config_file=tmp_path / "none.toml", rules_dir=rules)
    assert configured_rules(settings) is None  # parameters alone are no rule set
    (rules / "generic.yaml").write_text("rules: []\n", encoding="utf-8")
    assert configured_rules(settings) == rules
    given = tmp_path / "other"
    assert configured_rules(settings, given) == given

def test_default_parameters_file_is_not_an_override(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    own = load_settings(environ={}, config_file=tmp_path / "none.toml", rules_dir=rules,
                        rule_parameters_file=rules / "parameters.yaml")
    assert parameters_override(own) is None
    deployment = tmp_path / "deployment-parameters.yaml"
    chosen = load_settings(environ={}, config_file=tmp_path / "none.toml", rules_dir=rules,
                           rule_parameters_file=deployment)
    assert parameters_override(chosen) == deployment
