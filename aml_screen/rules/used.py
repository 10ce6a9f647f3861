"""The rules a stored batch was screened with, by id: what the alert page reads a rule hit's
title, typology, description and references from. The batch's own rule pack (its snapshot,
``snapshots.load_rule_pack``) when it is kept, else the rules configured now; loaded once
per pack digest."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from aml_screen.errors import AmlScreenError
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.rules.loader import load_rules
from aml_screen.rules.model import Rule
from aml_screen.settings import Settings
from aml_screen.snapshots import load_rule_pack, rule_pack_digest


@lru_cache(maxsize=16)
def _rules(rules_dir: Path, parameters: Path | None, _digest: str) -> Mapping[str, Rule]:
    return {rule.id: rule for rule in load_rules(rules_dir, parameters).rules}


def batch_rules(settings: Settings, rule_digest: str | None) -> Mapping[str, Rule]:
    """Rule id -> rule, of the batch's pack or the configured one; empty when neither can
    be read (the page then shows rule ids and evidence without titles)."""
    try:
        pack = load_rule_pack(settings, rule_digest) if rule_digest else None
        if pack is not None:
            return _rules(pack.rules_dir, pack.parameters, rule_digest or "")
        folder = configured_rules(settings)
        if folder is None:
            return {}
        override = parameters_override(settings)
        return _rules(folder, override, rule_pack_digest(folder, override))
    except AmlScreenError:
        return {}
