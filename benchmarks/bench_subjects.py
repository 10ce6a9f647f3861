"""Subject resolution on a labelled multi-batch set: pairwise precision and recall, speed.

```sh
.venv/bin/python benchmarks/bench_subjects.py --records 200000 --batches 5
```

The set (``subject_data.batches``) is resolved batch by batch, each batch against the
summary of the earlier ones (``resolve(batch, known)``), as a store would. Pairwise
figures: of the pairs of records put in one subject, the share that are one person
(precision); of the pairs of records of one person, the share put in one subject (recall).
They are given over all records, and over the records that carry some evidence besides the
name (``*_with_evidence``: leaving out the ``name_only`` ones, with no ID number, phone,
birth date, or account other than a hub's): a common name alone is left a subject of its
own by design, so those records bound the recall (each one loses its pairs with every
other record of its person). Prints a table and the same figures as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.subjects.known import KnownSubjects
from aml_screen.subjects.resolve import resolve
from benchmarks import machine, subject_data


def pairs(counts: pl.Expr) -> pl.Expr:
    return (counts * (counts - 1) // 2).sum()


def pairwise(truth: pl.DataFrame) -> dict[str, float]:
    """Precision and recall over record pairs; ``truth`` has ``person`` and ``subject_id``."""
    both = truth.group_by("person", "subject_id").agg(n=pl.len().cast(pl.Int64))
    found = truth.group_by("subject_id").agg(n=pl.len().cast(pl.Int64))
    real = truth.group_by("person").agg(n=pl.len().cast(pl.Int64))
    agreed = both.select(pairs(pl.col("n"))).item()
    predicted = found.select(pairs(pl.col("n"))).item()
    expected = real.select(pairs(pl.col("n"))).item()
    return {"precision": round(agreed / predicted, 4) if predicted else 1.0,
            "recall": round(agreed / expected, 4) if expected else 1.0}


def measure(batches: list[pl.DataFrame]) -> dict[str, object]:
    """Resolve ``batches`` (``subject_data.batches``) one after the other and measure."""
    known = KnownSubjects.empty()
    assigned: list[pl.DataFrame] = []
    renamed = pl.DataFrame(schema={"subject_id": pl.String, "into": pl.String})
    per_batch: list[float] = []
    links: dict[str, int] = {}
    started = time.perf_counter()
    for batch in batches:
        tick = time.perf_counter()
        result = resolve(batch.drop("person"), known)
        per_batch.append(round(time.perf_counter() - tick, 2))
        known = result.known
        assigned.append(result.assignments.select("record_id", "subject_id"))
        renamed = pl.concat([renamed, result.merged])
        for code, count in result.links.get_column("code").value_counts().iter_rows():
            links[code] = links.get(code, 0) + count
    seconds = time.perf_counter() - started
    # Subjects merged in a later batch take the id they were merged into (chains followed).
    final = pl.concat(assigned)
    for _ in batches:
        final = final.join(renamed, on="subject_id", how="left").select(
            "record_id", subject_id=pl.coalesce("into", "subject_id"))
    name_only = (pl.col("id_number").is_null() & pl.col("phone").is_null()
                 & pl.col("birth_date").is_null()
                 & (pl.col("account").is_null()
                    | pl.col("account").is_in(known.hubs.filter(pl.col("space") == "contact")
                                            .get_column("value").implode())))
    truth = pl.concat(batches).select("record_id", "person", name_only=name_only).join(
        final, on="record_id")
    records = truth.height
    with_evidence = pairwise(truth.filter(~pl.col("name_only")))
    figures: dict[str, object] = {
        "records": records,
        "batches": len(batches),
        "persons": truth.get_column("person").n_unique(),
        "subjects": truth.get_column("subject_id").n_unique(),
        **pairwise(truth),
        "name_only": round(float(truth.select(pl.col("name_only").mean()).item()), 4),
        "precision_with_evidence": with_evidence["precision"],
        "recall_with_evidence": with_evidence["recall"],
        "seconds": round(seconds, 2),
        "seconds_per_batch": per_batch,
        "records_per_s": round(records / seconds),
        "links": dict(sorted(links.items())),
        "hubs": known.hubs.filter(pl.col("space") != "counterparty").height,
        "busy_counterparties": known.hubs.filter(pl.col("space") == "counterparty").height,
        "known_rows": {"subjects": known.subjects.height, "profiles": known.profiles.height,
                       "identifiers": known.identifiers.height,
                       "counterparties": known.counterparties.height},
        "peak_memory_mib": machine.peak_memory_mib(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **machine.describe(),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    figures = measure(subject_data.batches(args.seed, args.records, args.batches))
    print(machine.table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
