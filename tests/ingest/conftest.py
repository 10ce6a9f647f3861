"""Small self-made batches, written the way banks' exports write them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

HEADER = ("transaction_id", "booked_at", "amount", "currency", "originator_name",
          "beneficiary_name", "beneficiary_country")

WriteBatch = Callable[..., Path]


def batch_text(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER,
               delimiter: str = ";", newline: str = "\n") -> str:
    """CSV text with RFC 4180 quoting where a field needs it."""

    def field(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(field(v) for v in row) for row in (header, *rows)]
    return newline.join(lines) + newline


@pytest.fixture
def write_batch(tmp_path: Path) -> WriteBatch:
    """Write rows as a batch file: ``write_batch(rows, name=..., encoding=..., **csv)``."""

    def write(rows: Sequence[Sequence[str]], name: str = "batch.csv", encoding: str = "utf-8",
              **options: str | Sequence[str]) -> Path:
        path = tmp_path / name
        path.write_bytes(batch_text(rows, **options).encode(encoding))  # type: ignore[arg-type]
        return path

    return write
