"""Every text the web interface and the store show exists in English and French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aml_screen.exports.filters import FORMATS, KINDS
from aml_screen.i18n import LANGUAGES, catalogue
from aml_screen.ingest.batch import FILE_REFUSED
from aml_screen.ingest.formats import FORMAT_NAMES
from aml_screen.match.explain import ADJUSTMENTS, RELATIONS
from aml_screen.schema import ENTITY_TYPES
from aml_screen.store.models import (
    ALERT_STATUSES,
    API_SCOPES,
    BATCH_STATUSES,
    CASE_DISPOSITIONS,
    CASE_STATUSES,
    DISPOSITIONS,
    EXEMPTION_STATUSES,
    PACKAGE_STATUSES,
    ROLES,
)
from aml_screen.store.models.webhooks import (
    ATTEMPT_ERRORS,
    DELIVERY_STATUSES,
    TEST_EVENT,
    WEBHOOK_EVENTS,
)
from aml_screen.store.rescreen import RESCREEN_STATUSES
from aml_screen.store.subject_profile import DIRECTIONS
from aml_screen.store.subject_search import MATCHED_ON
from aml_screen.store.triage import TRANSITIONS
from aml_screen.subjects.decisions import KINDS as DECISION_KINDS
from tests.store.samples import REPO
from web.api import views as _api_views  # noqa: F401 (its operations fill OPERATIONS)
from web.api.endpoints import OPERATIONS
from web.api.problems import KINDS as PROBLEM_KINDS

TEMPLATES = REPO / "web" / "templates"
SOURCES = [*(REPO / "web").rglob("*.py"), *(REPO / "aml_screen" / "store").rglob("*.py"),
           *(REPO / "aml_screen" / "jobs").rglob("*.py"),
           *(REPO / "aml_screen" / "cli").glob("[dsu]*.py")]
DYNAMIC = {
    "web.role.": ROLES,
    "web.status.": (*ALERT_STATUSES, "open", "all"),
    "web.batch.status.": BATCH_STATUSES,
    "web.disposition.": DISPOSITIONS,
    "web.move.": {m for moves in TRANSITIONS.values() for m in moves},
    "web.language.": LANGUAGES,
    "web.name_kind.": ("primary", "alias", "weak_alias"),
    "web.sort.": ("-risk", "risk", "-created", "created", "subject"),
    "role.": ("originator", "beneficiary"),
    "cases.status.": (*CASE_STATUSES, "all"),
    "cases.disposition.": CASE_DISPOSITIONS,
    "evidence.status.": PACKAGE_STATUSES,
    "exemptions.status.": EXEMPTION_STATUSES,
    "exemptions.detail.": ("account", "country"),
    "rescreen.status.": RESCREEN_STATUSES,
    "exports.web.kind.": KINDS,
    "exports.web.format.": FORMATS,
    "web.party.": ("birth_date", "nationality", "id_number", "phone"),
    "matching.relation.": RELATIONS,
    "matching.adjustment.": ADJUSTMENTS,
    "web.entity_type.": ENTITY_TYPES,
    "cases.void_cause.": ("case.alert_added", "case.alert_removed", "case.note_added",
                          "case.edited", "case.closed", "case.reopened", "case.assigned"),
    "ingest.format.": (*FORMAT_NAMES, FILE_REFUSED),
    "search.on.": MATCHED_ON,
    "web.subject.direction.": DIRECTIONS,
    "web.subject.decision.": DECISION_KINDS,
    "tokens.scope.": API_SCOPES,
    "tokens.state.": ("active", "expired", "revoked"),
    "api.op.": tuple(op.name for op in OPERATIONS),
    "api.problem.": tuple(PROBLEM_KINDS.values()),
    "apidocs.in.": ("path", "query", "body"),
    "sso.refused.": ("no_role", "disabled", "state", "token", "provider", "unreachable"),
    "webhooks.event.": (*WEBHOOK_EVENTS, TEST_EVENT),
    "webhooks.event_hint.": WEBHOOK_EVENTS,
    "webhooks.status.": DELIVERY_STATUSES,
    "webhooks.error.": ATTEMPT_ERRORS,
}
"""Templates build these keys from a value (``_('web.role.' ~ user.role)``): every value."""


def _dynamic_prefixes() -> set[str]:
    return {prefix for path in TEMPLATES.rglob("*.html")
            for prefix in re.findall(r"_\('([a-z_.]+\.)' ~", path.read_text(encoding="utf-8"))}


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"_\('([a-z_.]+[a-z_])'[,)]", text))
        keys |= {f"{key}.{form}" for key in re.findall(r"_n\('([a-z_.]+[a-z_])',", text)
                 for form in ("one", "other")}
        for prefix in re.findall(r"_\('([a-z_.]+\.)' ~", text):
            keys |= {prefix + suffix for suffix in DYNAMIC.get(prefix, ())}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'(?:Error|(?<!n)gettext|translate|\bt)\(\s*"([a-z_]+\.[a-z_.]+)"',
                               text))
        keys |= {f"{key}.{form}" for key in re.findall(r'ngettext\(\s*"([a-z_]+\.[a-z_.]+)"', text)
                 for form in ("one", "other")}
    keys |= {f"web.error.{code}" for code in (400, 403, 404, 405, 413, 500)}
    return keys


@pytest.mark.parametrize("key", sorted(_used_keys()))
def test_every_message_exists_in_both_languages(key: str) -> None:
    texts = catalogue().get(key)
    assert texts is not None, f"{key} is missing"
    assert set(LANGUAGES) <= set(texts), f"{key} lacks a language"
    assert all(texts[lang].strip() for lang in LANGUAGES)


def test_every_key_built_from_a_value_lists_its_values() -> None:
    assert _dynamic_prefixes() <= set(DYNAMIC)


def test_the_scan_found_the_templates() -> None:
    assert len(_used_keys()) > 150
    assert Path(TEMPLATES / "alerts" / "detail.html").is_file()
