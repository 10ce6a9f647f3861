"""Background jobs: the queue (Huey, SQLite or Redis), the screening and re-screening jobs,
their progress and heartbeats, the reaper that runs again the jobs of a dead worker, and the
webhook deliveries with the relay that hands them from the outbox to the queue."""

from aml_screen.jobs.progress import DatabaseProgress
from aml_screen.jobs.queue import InProcessWorker, JobQueue, make_huey
from aml_screen.jobs.reaper import Reaper, embedded_jobs
from aml_screen.jobs.rescreen import rescreen_stored_batch
from aml_screen.jobs.screening import screen_stored_batch, stored_path, upload_dir
from aml_screen.jobs.submit import Submission, submit_batch
from aml_screen.jobs.webhook_relay import WebhookRelay

__all__ = [
    "DatabaseProgress",
    "InProcessWorker",
    "JobQueue",
    "Reaper",
    "Submission",
    "WebhookRelay",
    "embedded_jobs",
    "make_huey",
    "rescreen_stored_batch",
    "screen_stored_batch",
    "stored_path",
    "submit_batch",
    "upload_dir",
]
