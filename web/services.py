"""What the views reach through the application: settings, the store and the job queue."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from aml_screen.jobs import JobQueue
from aml_screen.settings import Settings
from aml_screen.store import Database

EXTENSION = "aml_screen"


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    jobs: JobQueue


def services() -> Services:
    found: Services = current_app.extensions[EXTENSION]
    return found
