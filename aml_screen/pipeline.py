"""One screening run: batch files, watchlists and rules in; hits, rule hits, alerts,
quarantine and summary out.

This is the I/O shell around the pure parts (ingest validation, ``screening``, rule
evaluation, alert roll-up): it reads files, reports progress and times the run. Writing the
results is ``outputs``' job. The rule set is loaded before any batch is read, so an invalid
rule set stops the run with its full report instead of silently screening without it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from aml_screen import __version__
from aml_screen.alerts import batch_key, roll_up
from aml_screen.errors import ConfigError
from aml_screen.exemptions import apply_exemptions, listed_entries, party_details, with_pair_keys
from aml_screen.ingest import ColumnMapping, IngestResult, read_batch
from aml_screen.ingest.limits import DEFAULT_LIMITS, InputLimits
from aml_screen.ingest.quarantine import quarantined_rows
from aml_screen.ingest.records import REPORT_COLUMNS
from aml_screen.match.index import ListIndex, build_index
from aml_screen.match.names import MEMORY_MIB
from aml_screen.match_cache import MatchCache
from aml_screen.progress import NoProgress, Progress
from aml_screen.rules import RuleSet, evaluate_rules, load_rules
from aml_screen.schema import (
    HIT_SCHEMA,
    LIST_ENTRY_SCHEMA,
    NOTES_COLUMN,
    PARTY_ATTRIBUTES,
    PARTY_ROLES,
    QUARANTINE_SCHEMA,
    RULE_HIT_SCHEMA,
    empty,
    with_entry_extras,
)
from aml_screen.screening import screen_names
from aml_screen.watchlists.loader import Watchlist


@dataclass(frozen=True)
class ScreeningRun:
    transactions: pl.DataFrame
    """The loaded rows of every batch (``TRANSACTION_SCHEMA`` and extra columns)."""
    hits: pl.DataFrame
    quarantine: pl.DataFrame
    alerts: pl.DataFrame
    rule_hits: pl.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pl.DataFrame]:
        """The result tables written as files, by file stem."""
        return {"hits": self.hits, "alerts": self.alerts, "rule_hits": self.rule_hits}


class StageClock:
    """Wall-clock seconds per named step of a run, in order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 3)
        self._last = now


def index_watchlists(watchlists: Sequence[Watchlist]) -> ListIndex:
    """One index over all lists; each name row carries its list's version (SHA-256)."""
    return build_index(list_names(watchlists))


def list_names(watchlists: Sequence[Watchlist]) -> pl.DataFrame:
    """Every name row of every list, with its list's version (SHA-256) and the optional
    columns (``LIST_ENTRY_EXTRAS``) of every list, null where a list has none."""
    if not watchlists:  # rules only: an index of no names, with every column
        return with_entry_extras(empty(LIST_ENTRY_SCHEMA)).with_columns(
            list_version=pl.lit(None, pl.String))
    return pl.concat([with_entry_extras(w.entries).with_columns(list_version=pl.lit(w.sha256))
                      for w in watchlists], how="vertical_relaxed")


def remove_exempt_hits(transactions: pl.DataFrame, hits: pl.DataFrame,
                       watchlists: Sequence[Watchlist],
                       exemptions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept hits, suppressed hits): ``hits`` keyed by party and listed entry, minus those
    an active exemption covers. Kept hits are ``HIT_SCHEMA``; suppressed ones carry their
    keys and ``exemption_id``."""
    hit_rows = transactions.join(hits.select("transaction_id").unique(), on="transaction_id",
                                 how="semi")
    keyed = with_pair_keys(hits, party_details(hit_rows),
                           listed_entries(list_names(watchlists), hits)
                           if not hits.is_empty() else pl.DataFrame())
    kept, suppressed = apply_exemptions(keyed, exemptions)
    return kept.select(list(HIT_SCHEMA)), suppressed


SCREENING_COLUMNS = ("transaction_id", "originator_name", "beneficiary_name",
                     *(f"{role}_{a}" for role in PARTY_ROLES for a in PARTY_ATTRIBUTES))
"""The batch columns screening names needs: what ``screen_only`` runs load."""


def result_counts(*, index: ListIndex, hits: pl.DataFrame, rule_set: RuleSet | None,
                  rules_dir: Path | None, rules_seconds: float, rule_hits: pl.DataFrame,
                  alerts: pl.DataFrame, watchlists: Sequence[Watchlist]) -> dict[str, Any]:
    """The summary's figures on what a run found, whichever engine ran it."""
    return {
        "list_names": index.names.height,
        "list_keys": index.size,
        "hits": hits.height,
        "transactions_with_hits": hits.get_column("transaction_id").n_unique(),
        "entries_hit": hits.select("list_id", "entry_id").n_unique(),
        "rules_dir": str(rules_dir) if rules_dir is not None else None,
        "rules_evaluated": len(rule_set.rules) if rule_set is not None else 0,
        "rules_elapsed_seconds": round(rules_seconds, 3),
        "rule_hits": rule_hits.height,
        "rules_fired": rule_hits.get_column("rule_id").n_unique(),
        "alerts": alerts.height,
        "list_versions": [w.version() for w in watchlists],
    }


MAX_REPORTS = 50
"""Reports listed per batch in the summary (a ZIP can hold many)."""


def batch_summary(path: Path, result: IngestResult) -> dict[str, Any]:
    """One file's entry in the summary's ``batches``: what was read of it and how."""
    entry: dict[str, Any] = {
        "file": str(path), "sha256": result.sha256, "format": result.format,
        "encoding": result.encoding, "rows_read": result.rows_read,
        "rows_loaded": result.frame.height,
        "rows_quarantined": quarantined_rows(result.quarantine),
        "unmapped_elements": dict(result.unmapped.most_common()),
    }
    if result.members:
        entry["members"] = [{"file": name, "format": fmt} for name, fmt in result.members]
    if set(REPORT_COLUMNS) <= set(result.frame.columns):
        reports = result.frame.select(REPORT_COLUMNS).unique(maintain_order=True)
        entry["reports"] = reports.head(MAX_REPORTS).to_dicts()
    return entry


def run_screening(
    batch_paths: Sequence[Path],
    watchlists: Sequence[Watchlist],
    *,
    threshold: float,
    timezone: str = "UTC",
    date_order: str = "dmy",
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
    rules_dir: Path | None = None,
    rule_parameters: Path | None = None,
    exemptions: pl.DataFrame | None = None,
    screen_only: bool = False,
    match_cache: MatchCache | None = None,
    match_memory_mib: int = MEMORY_MIB,
    input_format: str = "auto",
    plausible: tuple[datetime, datetime] | None = None,
    names: Sequence[str] | None = None,
    language: str = "en",
    limits: InputLimits = DEFAULT_LIMITS,
) -> ScreeningRun:
    """Screen every party name of every batch against ``watchlists``, and evaluate the rules
    of ``rules_dir`` (with ``rule_parameters`` overriding its ``parameters.yaml``).

    Hits covered by ``exemptions`` (``exemptions.EXEMPTION_SCHEMA``) are removed before rules
    and alert roll-up, so they neither raise an alert nor add to a risk score; the summary
    counts them and names the exemptions used.

    Names are screened by ``screening.screen_names`` (each distinct name matched once).
    ``screen_only`` (no
    rules, no exemptions) loads only ``SCREENING_COLUMNS`` into ``transactions`` (every row
    is still checked and quarantined as usual), which is what lets a batch of millions of
    rows fit in memory. ``match_cache`` reuses the results of names screened by earlier
    runs against the same lists (see ``match_cache.MatchCache``). The summary's
    ``stage_seconds`` times each step. ``names`` are the files' names as their sender
    gave them (an upload kept under its content hash), used in messages and
    ``source_file``. ``input_format`` is the batches' format
    (``ingest.formats``), detected from each file's content when ``auto``. ``language`` is
    the one quarantine reasons are written in (their codes and values are kept as well); a
    file past ``limits`` is refused (``IngestError``)."""
    if screen_only and (rules_dir is not None or exemptions is not None):
        raise ConfigError("screen.screen_only_conflict")
    progress = progress or NoProgress()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    stages = StageClock()
    rule_set = load_rules(rules_dir, rule_parameters) if rules_dir is not None else None
    results: list[IngestResult] = []
    shown = list(names) if names is not None else [path.name for path in batch_paths]
    for path, name in zip(batch_paths, shown, strict=True):
        advance = progress.stage("screen.stage.read", 1, file=name)
        results.append(read_batch(path, mapping, timezone=timezone, date_order=date_order,
                                  columns=SCREENING_COLUMNS if screen_only else None,
                                  input_format=input_format,
                                  plausible=plausible, language=language, limits=limits,
                                  source=name if names is not None else None))
        advance(1)
    transactions = pl.concat([r.frame for r in results], how="diagonal_relaxed", rechunk=False)
    quarantine = pl.concat(
        [r.quarantine for r in results] or [pl.DataFrame(schema=QUARANTINE_SCHEMA)]
    )
    stages.lap("read")
    index = index_watchlists(watchlists)
    stages.lap("index")
    screened = screen_names(transactions, index, threshold, progress=progress,
                            cache=match_cache, list_versions=[w.sha256 for w in watchlists],
                            lap=stages.lap, memory_mib=match_memory_mib)
    hits = screened.hits
    suppressed = pl.DataFrame(schema={"exemption_id": pl.Int64()})
    if exemptions is not None:
        hits, suppressed = remove_exempt_hits(transactions, hits, watchlists, exemptions)
    stages.lap("exemptions")
    rule_hits = pl.DataFrame(schema=RULE_HIT_SCHEMA)
    rules_clock = time.perf_counter()
    if rule_set is not None:
        advance = progress.stage("rules.stage.evaluate", 1)
        rule_hits = evaluate_rules(rule_set, transactions, hits, timezone=timezone)
        advance(1)
    rules_seconds = time.perf_counter() - rules_clock
    key = batch_key([r.sha256 for r in results])
    alerts = roll_up(hits, rule_hits, key)
    stages.lap("rules_and_alerts")
    rows_read = sum(r.rows_read for r in results)
    if rows_read != transactions.height + quarantined_rows(quarantine):
        raise AssertionError("rows read != rows loaded + rows quarantined")
    summary: dict[str, Any] = {
        "engine_version": __version__,
        "started_at": started.isoformat(timespec="seconds"),
        "elapsed_seconds": round(time.perf_counter() - clock, 3),
        "threshold": threshold,
        "timezone": timezone,
        "date_order": date_order,
        "batch_key": key,
        "batches": [batch_summary(path, r) for path, r in zip(batch_paths, results, strict=True)],
        "unmapped_elements": dict(sum((r.unmapped for r in results), Counter()).most_common()),
        "rows_read": rows_read,
        "rows_loaded": transactions.height,
        "rows_screened": transactions.height,
        "rows_quarantined": quarantined_rows(quarantine),
        "rows_with_notes": (int(transactions.get_column(NOTES_COLUMN).is_not_null().sum())
                            if NOTES_COLUMN in transactions.columns else 0),
        "parties_screened": screened.parties,
        "distinct_names": screened.distinct_names,
        "names_matched": screened.names_matched,
        "names_capped": screened.names_capped,
        **result_counts(index=index, hits=hits, rule_set=rule_set, rules_dir=rules_dir,
                        rules_seconds=rules_seconds, rule_hits=rule_hits, alerts=alerts,
                        watchlists=watchlists),
        "exempt_hits": suppressed.height,
        "exemptions_used": sorted(suppressed.get_column("exemption_id").unique().to_list()),
        "stage_seconds": stages.seconds,
    }
    return ScreeningRun(transactions=transactions, hits=hits, quarantine=quarantine,
                        alerts=alerts, rule_hits=rule_hits, summary=summary)

