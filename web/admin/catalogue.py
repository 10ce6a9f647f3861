"""What the lists and rules pages show: the configured list sources with their stored
versions, and the rule packs with their digest and validation result. Read from files only;
the views add what the store knows (the versions the latest batch used)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aml_screen.errors import AmlScreenError
from aml_screen.i18n import translate
from aml_screen.rules import RuleError, load_rules
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.rules.model import SEVERITIES, Rule
from aml_screen.settings import Settings
from aml_screen.snapshots import rule_pack_digest
from aml_screen.watchlists import registry
from aml_screen.watchlists.registry import Version
from aml_screen.watchlists.sources import load_sources

SEVERITY_NAMES = {score: name for name, score in SEVERITIES.items()}


@dataclass(frozen=True)
class SourceView:
    id: str
    title: str
    format: str
    screened: bool
    """Among the settings' ``default_watchlists`` (what the next batch is screened against)."""
    downloadable: bool
    path: Path | None = None
    path_sha256: str | None = None
    """A bundled file's SHA-256 (the version a batch records for it)."""
    versions: tuple[Version, ...] = ()
    """Stored downloads, newest (the current one) first."""


@dataclass(frozen=True)
class ListsView:
    sources: tuple[SourceView, ...] = ()
    error: AmlScreenError | None = None
    """The sources file could not be read."""


def lists_view(settings: Settings, lang: str) -> ListsView:
    try:
        sources = load_sources(settings.sources_file)
    except AmlScreenError as exc:
        return ListsView(error=exc)
    views = []
    for source in sources.values():
        bundled = source.path is not None and source.path.is_file()
        views.append(SourceView(
            id=source.id, title=source.title(lang), format=source.format,
            screened=source.id in settings.default_watchlists,
            downloadable=source.downloadable, path=source.path,
            path_sha256=registry.sha256_file(source.path)
            if bundled and source.path is not None else None,
            versions=tuple(reversed(registry.versions(settings, source.id)))
            if source.downloadable else ()))
    return ListsView(tuple(views))


@dataclass(frozen=True)
class RuleView:
    id: str
    title: str
    typology: str
    severity: str
    """``low`` … ``critical`` (or the score when it is none of those)."""
    severity_label: str
    kind: str
    file: str


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str
    field: str
    message: str


@dataclass(frozen=True)
class RulesView:
    folder: Path
    configured: bool
    """The folder exists and holds rule files (otherwise batches run without rules)."""
    digest: str | None
    rules: tuple[RuleView, ...] = ()
    files: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())


def _rule_view(rule: Rule, lang: str) -> RuleView:
    severity = SEVERITY_NAMES.get(rule.severity)
    return RuleView(id=rule.id, title=rule.title.get(lang) or rule.title.get("en", ""),
                    typology=rule.typology, severity=severity or f"{rule.severity:g}",
                    severity_label=translate(f"admin.severity.{severity}", lang)
                    if severity else f"{rule.severity:g}",
                    kind=rule.kind, file=Path(rule.file).name)


def rules_view(settings: Settings, lang: str) -> RulesView:
    """The configured rule packs as the screening job would load them, with the digest it
    records on each batch (``rule_pack_digest``, the same function)."""
    folder = configured_rules(settings)
    parameters = parameters_override(settings)
    if folder is None:
        return RulesView(folder=settings.rules_dir, configured=False, digest=None)
    digest = rule_pack_digest(folder, parameters)
    try:
        rule_set = load_rules(folder, parameters)
    except RuleError as exc:
        return RulesView(folder=folder, configured=True, digest=digest, problems=tuple(
            Problem(p.file, p.rule, p.field, p.message(lang)) for p in exc.problems))
    return RulesView(folder=folder, configured=True, digest=digest,
                     rules=tuple(_rule_view(rule, lang) for rule in rule_set.rules),
                     files=tuple(Path(f).name for f in rule_set.files))
