"""The rule set a stored batch was screened with: what the alert page reads a rule hit's
title, typology, description and references from, and the exchange rates its pictures
convert amounts with. The batch's own rule pack (its snapshot, ``snapshots.load_rule_pack``)
when it is kept, else the rules configured now; loaded once per pack digest."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from aml_screen.errors import AmlScreenError
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.rules.loader import load_rules
from aml_screen.rules.model import RuleSet
from aml_screen.settings import Settings
from aml_screen.snapshots import load_rule_pack, rule_pack_digest


@lru_cache(maxsize=16)
def _rule_set(rules_dir: Path, parameters: Path | None, _digest: str) -> RuleSet:
    return load_rules(rules_dir, parameters)


def batch_rule_set(settings: Settings, rule_digest: str | None) -> RuleSet | None:
    """The batch's rule pack, else the configured one; None when neither can be read (the
    page then shows rule ids without titles, and amounts in their own currency)."""
    try:
        pack = load_rule_pack(settings, rule_digest) if rule_digest else None
        if pack is not None:
            return _rule_set(pack.rules_dir, pack.parameters, rule_digest or "")
        folder = configured_rules(settings)
        if folder is None:
            return None
        override = parameters_override(settings)
        return _rule_set(folder, override, rule_pack_digest(folder, override))
    except AmlScreenError:
        return None

