"""Batch format names, how each is recognised from a file's first bytes, the reader behind
each and the file names it is accepted under (upload form, ``jobs.submit``).

Adding a format is one line in ``FORMATS`` and a sniff function in ``sniff``. Detection
tries the formats in table order and takes the first whose sniffer accepts the head, so
the more specific come first (an XLSX is a ZIP; CSV is whatever is left). A reader of a
message format returns a ``records.RecordBatch``; ``record_reader`` makes it a
``BatchReader``. Readers are imported on first use, as ``watchlists.formats`` does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from aml_screen.errors import IngestError
from aml_screen.ingest import sniff
from aml_screen.ingest.iso20022 import sniff_iso20022
from aml_screen.ingest.limits import InputLimits
from aml_screen.ingest.mapping import ColumnMapping
from aml_screen.ingest.record_table import record_source
from aml_screen.ingest.records import RecordBatch
from aml_screen.ingest.source import BatchSource
from aml_screen.ingest.swift_mt import sniff_swift_mt


class BatchReader(Protocol):
    """Open ``path`` (named ``source`` in messages) as rows to validate; a reader that can
    see a file is past ``limits`` before reading it all refuses it then (``read_batch``
    checks the rows, columns and fields of every table it is given)."""

    def __call__(self, path: Path, mapping: ColumnMapping, source: str,
                 limits: InputLimits) -> BatchSource: ...


class RecordReader(Protocol):
    def __call__(self, path: Path) -> RecordBatch: ...


@dataclass(frozen=True)
class BatchFormat:
    sniff: Callable[[bytes], bool]
    reader: str
    """``module:function`` of its ``BatchReader`` (or ``RecordReader`` when ``records``);
    empty for ``ZIP``, whose members are read as files of their own."""
    suffixes: tuple[str, ...]
    records: bool = False


ZIP = "zip"
FORMATS: dict[str, BatchFormat] = {
    "parquet": BatchFormat(sniff.is_parquet, "aml_screen.ingest.openers:open_parquet",
                           (".parquet",)),
    "xlsx": BatchFormat(sniff.is_workbook, "aml_screen.ingest.excel:open_excel",
                        (".xlsx", ".xlsm", ".xls")),
    ZIP: BatchFormat(sniff.is_zip, "", (".zip",)),
    "goaml": BatchFormat(sniff.is_goaml, "aml_screen.ingest.goaml:read_goaml", (".xml",),
                         records=True),
    "iso20022": BatchFormat(sniff_iso20022, "aml_screen.ingest.iso20022:read_iso20022",
                            (".xml",), records=True),
    "swift": BatchFormat(sniff_swift_mt, "aml_screen.ingest.swift_mt:read_swift_mt",
                         (".fin", ".rje", ".mt", ".txt"), records=True),
    "csv": BatchFormat(lambda head: True, "aml_screen.ingest.openers:open_csv",
                       (".csv", ".txt")),
}
"""Detection order: first match wins (CSV takes whatever no other format claims)."""

FORMAT_NAMES: tuple[str, ...] = tuple(FORMATS)
ACCEPTED_SUFFIXES: tuple[str, ...] = tuple(dict.fromkeys(
    s for f in FORMATS.values() for s in f.suffixes))


def detect_format(head: bytes, source: str) -> str:
    """The format of a file starting with ``head`` (its first ``sniff.HEAD_BYTES``). An XML
    document no reader claims is refused, naming its root element: read as CSV it would
    only give a puzzling message about quotes."""
    name = next(n for n, f in FORMATS.items() if f.sniff(head))
    if name == "csv" and (root := sniff.xml_root(head)) is not None:
        raise IngestError("ingest.unknown_xml", path=source, root=root[0],
                          namespace=root[1] or "-")
    return name


def batch_reader(name: str) -> BatchReader:
    """The reader of format ``name``; unknown names raise ``IngestError``."""
    try:
        entry = FORMATS[name]
    except KeyError:
        raise IngestError("ingest.unknown_format", format=name,
                          formats=", ".join(FORMAT_NAMES)) from None
    module_name, function = entry.reader.split(":")
    loaded = getattr(importlib.import_module(module_name), function)
    return record_reader(cast(RecordReader, loaded)) if entry.records else cast(
        BatchReader, loaded)


def record_reader(read: RecordReader) -> BatchReader:
    """A message reader as a ``BatchReader``: its records validated like a CSV's rows."""

    def open_records(path: Path, mapping: ColumnMapping, source: str,
                     limits: InputLimits) -> BatchSource:
        try:
            return record_source(read(path))
        except IngestError as exc:  # a message reader names the file it was given
            if "path" in exc.params:
                exc.params["path"] = source
            raise

    return open_records
