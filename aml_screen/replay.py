"""Replaying a stored batch: screen its file again with the list versions, rule pack and
threshold its run recorded, and compare with the stored hits, rule hits and alerts.

Everything used is found by digest and checked against it (the uploaded file by its SHA-256,
each list version in ``snapshots`` or the registry, the rule pack in ``snapshots``): when
one is missing or changed the replay stops and names it (``ReplayError``, exit 2) instead
of screening against something else. Comparison is pure (``stored_results`` /
``run_results`` → ``compare``): scores are compared to 0.01.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from aml_screen.errors import AmlScreenError, WatchlistError
from aml_screen.exemptions import EXEMPTION_SCHEMA
from aml_screen.jobs.screening import stored_path
from aml_screen.pipeline import ScreeningRun, run_screening
from aml_screen.settings import Settings
from aml_screen.snapshots import (
    SnapshotError,
    load_list_snapshot,
    load_rule_pack,
    parse_version,
)
from aml_screen.store import Database
from aml_screen.store.audit import record
from aml_screen.store.loading import get_batch
from aml_screen.store.models import Alert, Batch, Exemption, Hit, RuleHit
from aml_screen.watchlists import registry
from aml_screen.watchlists.loader import Watchlist

KINDS = ("hit", "rule_hit", "alert")


class ReplayError(AmlScreenError):
    """The batch cannot be replayed as it was screened (something it used is missing or
    changed): exit code 2."""

    exit_code = 2


Key = tuple[str, ...]


@dataclass(frozen=True)
class Results:
    """A run's results in comparable form, per kind: key → sorted values."""

    hits: dict[Key, list[str]]
    """(transaction, party role, list, entry, matched name) → scores ("97.50")."""
    rule_hits: dict[Key, list[str]]
    """(rule, subject type, subject id) → transaction ids of each firing ("TX-1 TX-2")."""
    alerts: dict[Key, list[str]]
    """(alert key,) → risk score ("100.00")."""

    def of(self, kind: str) -> dict[Key, list[str]]:
        return {"hit": self.hits, "rule_hit": self.rule_hits, "alert": self.alerts}[kind]


@dataclass(frozen=True)
class Difference:
    kind: str
    """``hit``, ``rule_hit`` or ``alert``."""
    change: str
    """``missing`` (stored, not reproduced), ``extra`` (reproduced, not stored) or
    ``changed`` (both, different values)."""
    key: Key
    stored: str | None
    replayed: str | None


@dataclass(frozen=True)
class ReplayReport:
    batch_id: int
    counts: dict[str, int]
    """Stored hits, rule hits and alerts."""
    differences: list[Difference]
    settings_used: dict[str, Any]

    @property
    def identical(self) -> bool:
        return not self.differences

    def summary(self) -> dict[str, Any]:
        """What the audit event records: counts only."""
        changes: dict[str, int] = defaultdict(int)
        for difference in self.differences:
            changes[f"{difference.kind}_{difference.change}"] += 1
        return {"identical": self.identical, **self.counts,
                "differences": len(self.differences), **dict(sorted(changes.items())),
                **self.settings_used}


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _grouped(rows: Iterable[tuple[Key, str]]) -> dict[Key, list[str]]:
    found: dict[Key, list[str]] = defaultdict(list)
    for key, value in rows:
        found[key].append(value)
    return {key: sorted(values) for key, values in found.items()}


def run_results(run: ScreeningRun) -> Results:
    return Results(
        hits=_grouped(((r["transaction_id"], r["party_role"], r["list_id"], r["entry_id"],
                        r["matched_name"]), _score(r["score"]))
                      for r in run.hits.iter_rows(named=True)),
        rule_hits=_grouped(((r["rule_id"], r["subject_type"], r["subject_id"]),
                            " ".join(sorted(r["transaction_ids"] or [])))
                           for r in run.rule_hits.iter_rows(named=True)),
        alerts=_grouped(((r["alert_id"],), _score(r["risk_score"]))
                        for r in run.alerts.iter_rows(named=True)),
    )


def stored_results(session: Session, batch_id: int) -> Results:
    """The results stored for the batch's own run (alerts of later re-screens excluded)."""
    own = (Alert.batch_id == batch_id) & Alert.rescreen_id.is_(None)
    hits = session.execute(select(Hit.transaction_id, Hit.party_role, Hit.list_id,
                                  Hit.entry_id, Hit.matched_name, Hit.score)
                           .join(Alert, Alert.id == Hit.alert_id).where(own)).all()
    rule_hits = session.execute(select(RuleHit.rule_id, RuleHit.subject_type,
                                       RuleHit.subject_id, RuleHit.transaction_ids)
                                .join(Alert, Alert.id == RuleHit.alert_id).where(own)).all()
    alerts = session.execute(select(Alert.alert_key, Alert.risk_score).where(own)).all()
    return Results(
        hits=_grouped((tuple(row[:5]), _score(row.score)) for row in hits),
        rule_hits=_grouped(((row.rule_id, row.subject_type, row.subject_id),
                            " ".join(sorted(row.transaction_ids or [])))
                           for row in rule_hits),
        alerts=_grouped(((row.alert_key,), _score(row.risk_score)) for row in alerts),
    )


def compare(stored: Results, replayed: Results) -> list[Difference]:
    """Every difference, kind by kind in key order. Several values under one key (a rule
    firing twice on a subject) are matched as a multiset: unmatched ones on both sides are
    reported as changed pairwise, the rest as missing or extra."""
    found: list[Difference] = []
    for kind in KINDS:
        before, after = stored.of(kind), replayed.of(kind)
        for key in sorted(before.keys() | after.keys()):
            old, new = list(before.get(key, [])), list(after.get(key, []))
            for value in list(old):
                if value in new:
                    old.remove(value)
                    new.remove(value)
            pairs = min(len(old), len(new))
            found += [Difference(kind, "changed", key, o, n)
                      for o, n in zip(old[:pairs], new[:pairs], strict=True)]
            found += [Difference(kind, "missing", key, o, None) for o in old[pairs:]]
            found += [Difference(kind, "extra", key, None, n) for n in new[pairs:]]
    return found


# --- finding what the run used ------------------------------------------------------------

def describe_version(version: dict[str, Any]) -> str:
    """``list_id`` with its date and digest, as messages name a list version."""
    return f"{version['list_id']} ({version.get('version_date') or '-'}, " \
           f"sha256 {version['sha256']})"


def _from_registry(settings: Settings, version: dict[str, Any]) -> Watchlist | None:
    for stored in registry.versions(settings, str(version["source"])):
        if stored.sha256 == version["sha256"]:
            registry.verify(stored)
            return parse_version(stored.primary, version)
    return None


def recorded_lists(settings: Settings, versions: list[dict[str, Any]]) -> list[Watchlist]:
    """The exact list versions a run used, from their snapshots or the registry; all the
    missing or damaged ones are named at once."""
    found, missing = [], []
    for version in versions:
        try:
            watchlist = load_list_snapshot(settings, version) or \
                _from_registry(settings, version)
        except (SnapshotError, WatchlistError) as exc:
            raise ReplayError("replay.list_damaged", version=describe_version(version),
                              detail=str(exc)) from None
        if watchlist is None:
            missing.append(describe_version(version))
        else:
            found.append(watchlist)
    if missing:
        raise ReplayError("replay.list_missing", versions="; ".join(missing))
    return found


def _batch_file(settings: Settings, batch: Batch) -> Path:
    path = stored_path(settings, batch.sha256, batch.file_name)
    if not path.is_file():
        raise ReplayError("replay.file_missing", batch_id=batch.id, path=str(path))
    if registry.sha256_file(path) != batch.sha256:
        raise ReplayError("replay.file_changed", batch_id=batch.id, path=str(path))
    return path


def _exemptions(session: Session, used: list[int]) -> pl.DataFrame:
    """The exemptions the run applied, as in force then (whatever their state today)."""
    rows = session.execute(select(Exemption.id, Exemption.list_id, Exemption.entry_id,
                                  Exemption.party_key, Exemption.entry_digest)
                           .where(Exemption.id.in_(used))).all()
    if len(rows) != len(set(used)):
        raise ReplayError("replay.exemption_missing",
                          ids=", ".join(str(i) for i in sorted(set(used))))
    return pl.DataFrame([(*row, "active", date.max) for row in rows],
                        schema=EXEMPTION_SCHEMA, orient="row")


def replay_batch(settings: Settings, database: Database, batch_id: int) -> ReplayReport:
    """Screen batch ``batch_id`` again as it was screened, compare, and audit the result
    (``batch.replayed``)."""
    with database.transaction() as session:
        batch = get_batch(session, batch_id)
        if batch.purged_at is not None:
            raise ReplayError("replay.purged", batch_id=batch_id)
        if batch.status != "done" or batch.summary is None:
            raise ReplayError("replay.not_done", batch_id=batch_id, status=batch.status)
        summary = batch.summary
        path = _batch_file(settings, batch)
        lists = recorded_lists(settings, list(batch.list_versions or []))
        pack = None
        if batch.rule_digest is not None:
            pack = load_rule_pack(settings, batch.rule_digest)
            if pack is None:
                raise ReplayError("replay.rules_missing", digest=batch.rule_digest)
        used = [int(i) for i in summary.get("exemptions_used") or []]
        exemptions = _exemptions(session, used) if used else None
        stored = stored_results(session, batch_id)
    used_settings = {
        "engine_version": summary.get("engine_version"),
        "threshold": float(summary.get("threshold", settings.match_threshold)),
        "timezone": summary.get("timezone", settings.timezone),
        "date_order": summary.get("date_order", settings.date_order),
    }
    run = run_screening([path], lists, threshold=used_settings["threshold"],
                        timezone=used_settings["timezone"],
                        date_order=used_settings["date_order"],
                        rules_dir=pack.rules_dir if pack else None,
                        rule_parameters=pack.parameters if pack else None,
                        exemptions=exemptions)
    report = ReplayReport(batch_id, {kind: sum(len(v) for v in stored.of(kind).values())
                                     for kind in KINDS},
                          compare(stored, run_results(run)), used_settings)
    with database.transaction() as session:
        record(session, None, "batch.replayed", "batch", batch_id, after=report.summary())
    return report
