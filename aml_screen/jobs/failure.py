"""A job's failure recorded on its row, for the screening, re-screening and delta jobs."""

from __future__ import annotations

import logging

from aml_screen.store import Database
from aml_screen.store.jobs import Claim, fail_job

log = logging.getLogger(__name__)


def record_failure(database: Database, claim: Claim, key: str, params: dict[str, object],
                   job: str) -> None:
    """Mark the claimed job failed with message ``key``; when the claim was lost meanwhile
    (the reaper gave the job to another attempt) it is only logged. ``job`` names the kind
    in the log ("batch", "re-screen", "delta re-screen")."""
    with database.transaction() as session:
        if not fail_job(session, claim, key, params):
            log.warning("%s %s: claim lost before its failure (%s) was recorded", job,
                        claim.job_id, key)
