"""The delta re-screening job: when a list source has a new version, every distinct party
name of the store is matched against the names the version added or changed, the few
names found are mapped back onto their stored transactions, the new hits stored as alerts
and the hits of removed entries retired. The job's row (``ListDelta``) is claimed, beats
and fails as a batch's screening does (``store/jobs.py``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

import polars as pl

from aml_screen.delta_screening import STORED_COLUMNS, delta_index, hits_by_batch, match_chunk
from aml_screen.errors import AmlScreenError, WatchlistError
from aml_screen.jobs.failure import record_failure
from aml_screen.jobs.heartbeat import Heartbeat, beat_interval
from aml_screen.match.index import ListIndex
from aml_screen.match.names import reach_budget
from aml_screen.pipeline import remove_exempt_hits
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.exemptions import active_exemptions
from aml_screen.store.jobs import ClaimLostError, claim_job, require_claim
from aml_screen.store.list_delta import (
    BatchFindings,
    finish_delta,
    retire_hits,
    screenable_batches,
    store_findings,
)
from aml_screen.store.loading import hit_entries
from aml_screen.store.models import ListDelta
from aml_screen.store.party_names import name_chunks, transactions_named
from aml_screen.store.statistics import refresh_statistics
from aml_screen.watchlists import registry
from aml_screen.watchlists.diff import diff_lists
from aml_screen.watchlists.loader import Watchlist, load_version

log = logging.getLogger(__name__)


def stored_pair(settings: Settings, source: str, old_sha256: str, new_sha256: str
                ) -> tuple[Watchlist, Watchlist]:
    """The two stored versions of ``source`` a delta compares, parsed."""
    stored = {version.sha256: version for version in registry.versions(settings, source)}
    for sha256 in (old_sha256, new_sha256):
        if sha256 not in stored:
            raise WatchlistError("lists.delta.version_missing", source=source,
                                 sha256=sha256[:registry.SHA_PREFIX])
    return load_version(stored[old_sha256]), load_version(stored[new_sha256])


@dataclass(frozen=True)
class NamesScreened:
    hits: pl.DataFrame | None
    """Name-level hits of every chunk (None when no name hit)."""
    read: int
    """Distinct stored names read."""


def screen_stored_names(database: Database, index: ListIndex, threshold: float,
                        memory_mib: int) -> NamesScreened:
    """Every stored party name, a chunk at a time, matched against ``index``."""
    if index.names.is_empty():
        return NamesScreened(None, 0)
    found: list[pl.DataFrame] = []
    read = 0
    with database.transaction() as session:
        for names in name_chunks(session):
            read += names.len()
            matched = match_chunk(names, index, threshold, reach_budget(memory_mib))
            if not matched.hits.is_empty():
                found.append(matched.hits)
    return NamesScreened(pl.concat(found) if found else None, read)


def batch_findings(database: Database, name_hits: pl.DataFrame, new: Watchlist,
                   exemptions: pl.DataFrame, threshold: float) -> list[BatchFindings]:
    """The hits of the stored transactions holding a name of ``name_hits``, per batch whose
    screening is done and whose data is kept, without those an exemption covers."""
    with database.transaction() as session:
        stored = transactions_named(session, name_hits.get_column("party_name").unique(),
                                    STORED_COLUMNS)
        kept = screenable_batches(session, stored.get_column("batch_id").unique().to_list())
    stored = stored.filter(pl.col("batch_id").is_in(kept))
    found = []
    for batch_id, hits in hits_by_batch(stored, name_hits, threshold).items():
        rows = stored.filter(pl.col("batch_id") == batch_id).drop("batch_id")
        kept_hits, _ = remove_exempt_hits(rows, hits, [new], exemptions)
        if not kept_hits.is_empty():
            found.append(BatchFindings(batch_id, kept_hits, hit_entries([new], kept_hits),
                                       rows))
    return found


def run_list_delta(settings: Settings, database: Database, delta_id: int,
                   today: date | None = None) -> int:
    """Run delta re-screen ``delta_id`` if it is queued; returns how many alerts it made."""
    with database.transaction() as session:
        claim = claim_job(session, ListDelta, delta_id)
    if claim is None:
        log.info("delta re-screen %s is not queued: nothing to run", delta_id)
        return 0
    with database.transaction() as session:
        delta = session.get_one(ListDelta, delta_id)
        source, old_sha256, new_sha256 = delta.source, delta.old_sha256, delta.new_sha256
        exemptions = active_exemptions(session, today)
    started = time.perf_counter()
    threshold = settings.match_threshold
    try:
        with Heartbeat(database, claim, beat_interval(settings)):
            old, new = stored_pair(settings, source, old_sha256, new_sha256)
            diff = diff_lists(old.entries, new.entries)
            index = delta_index(new, diff)
            screened = screen_stored_names(database, index, threshold,
                                           settings.match_memory_mib)
            findings = ([] if screened.hits is None else
                        batch_findings(database, screened.hits, new, exemptions, threshold))
            with database.transaction() as session:
                delta = session.get_one(ListDelta, delta_id)
                stored = [store_findings(session, delta, new, found) for found in findings]
                delta.retired_hits = retire_hits(
                    session, delta, diff.removed.get_column("entry_id").to_list())
                delta.entries_added, delta.entries_removed = diff.added.height, diff.removed.height
                delta.entries_changed = diff.changed.height
                delta.index_names, delta.names_read = index.names.height, screened.read
                delta.new_hits = sum(hits for hits, _ in stored)
                delta.new_alerts = sum(alerts for _, alerts in stored)
                require_claim(session, claim)
                finish_delta(session, delta, time.perf_counter() - started)
                created = delta.new_alerts
            refresh_statistics(database.engine)
            return created
    except ClaimLostError:
        log.warning("delta re-screen %s: attempt %s lost its claim and stopped", delta_id,
                    claim.attempt)
        return 0
    except AmlScreenError as exc:
        record_failure(database, claim, exc.key, exc.params, "delta re-screen")
        return 0
    except Exception as exc:
        log.exception("delta re-screening job %s crashed", delta_id)
        record_failure(database, claim, "job.crashed", {"detail": exc}, "delta re-screen")
        raise
