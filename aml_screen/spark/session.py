"""The Spark session of a run, and the check that pyspark is installed at all."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from aml_screen.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"


def require_pyspark() -> None:
    """``InputError`` (bilingual, with the install command) when pyspark is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise InputError("spark.not_installed") from exc


def spark_session(master: str = DEFAULT_MASTER, shuffle_partitions: int = 4) -> SparkSession:
    """A session for ``master`` (reused when one is already running); an empty ``master``
    keeps the one spark-submit or the cluster configured.

    Timestamps cross the Arrow bridge in UTC, the engine's zone. In local mode the Python
    workers must be this interpreter (the one with aml-screen installed): ``PYSPARK_PYTHON``
    is set to it unless already chosen; on a cluster it is the deployment's to set."""
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("aml-screen")
    if master:
        builder = builder.master(master)
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        builder
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
