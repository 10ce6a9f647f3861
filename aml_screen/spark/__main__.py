"""Entry point for ``spark-submit``: ``aml-screen screen --engine spark`` with the master
that spark-submit configured (a ``--spark-master`` given after the batches still wins).
spark-submit takes a file, not a module name: give it this file's path.

    spark-submit --master yarn --conf spark.pyspark.python=./venv/bin/python \
        "$(python -c 'import aml_screen.spark.__main__ as m; print(m.__file__)')" \
        batch.parquet --watchlist un_sc --out /mnt/shared/results/

``python -m aml_screen.spark ... --spark-master local[2]`` runs the same without spark-submit.
"""

from __future__ import annotations

import sys

from aml_screen.cli import main


def run(arguments: list[str]) -> None:
    main(["screen", "--engine", "spark", "--spark-master", "", "--no-progress", *arguments])


if __name__ == "__main__":
    run(sys.argv[1:])
