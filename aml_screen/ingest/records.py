"""What a structured-message reader (goAML XML, ISO 20022, SWIFT MT) hands to ingest.

A message file is not a table: a reader walks it (streamed, hardened XML parsing) and emits
one record per transaction with the canonical column names, every value as the text the
file held. Ingest then validates those records exactly as it validates a CSV batch's rows
(dates, amounts, currencies, party details), so every format quarantines with the same
reason codes. ``source_ref`` replaces a line number: the XPath of the record's element
(``/report[1]/transaction[7]``) or the message reference (``MT103 :20:REF123``), and is
what a quarantined record names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl

SOURCE_REF = "source_ref"
"""Column naming where a record came from inside its file (XPath or message reference)."""

REPORT_COLUMNS = ("report_id", "reporting_entity", "report_code")
"""Report-level facts a goAML report gives every one of its transactions."""
AGENT_COLUMNS = ("originator_bic", "beneficiary_bic")
"""The banks (BIC) of each side of a payment message."""


@dataclass
class RecordBatch:
    """The records of one message file.

    ``frame`` has one row per transaction and only ``pl.String`` columns: canonical names
    (``transaction_id``, ``booked_at``, ``amount``, ``currency``, the party columns, the
    KYC columns, ``REPORT_COLUMNS``, ``AGENT_COLUMNS``…) plus ``SOURCE_REF``. A value the
    file does not give is null. ``unmapped`` counts the elements (or MT fields) the reader
    did not read, by path, for ``summary.json``'s ``unmapped_elements``.
    """

    format: str
    frame: pl.DataFrame
    unmapped: Counter[str] = field(default_factory=Counter)
