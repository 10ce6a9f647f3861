"""Background jobs: the queue (Huey, SQLite or Redis), the screening and re-screening jobs,
their progress and heartbeats, and the reaper that runs again the jobs of a dead worker."""

from aml_screen.jobs.progress import DatabaseProgress
from aml_screen.jobs.queue import InProcessWorker, JobQueue, make_huey
from aml_screen.jobs.reaper import Reaper, embedded_jobs
from aml_screen.jobs.rescreen import rescreen_stored_batch
from aml_screen.jobs.screening import screen_stored_batch, stored_path, upload_dir
from aml_screen.jobs.submit import Submission, submit_batch

__all__ = [
    "DatabaseProgress",
    "InProcessWorker",
    "JobQueue",
    "Reaper",
    "Submission",
    "embedded_jobs",
    "make_huey",
    "rescreen_stored_batch",
    "screen_stored_batch",
    "stored_path",
    "submit_batch",
    "upload_dir",
]
