"""Property-based ingest: whatever a file holds — random bytes, CSV of any shape, Parquet of any
schema — reading it screens it, quarantines rows with a known reason, or refuses it with an
input error (exit 2 in the CLI); never another exception, and the rows always add up."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aml_screen.errors import InputError
from aml_screen.ingest import read_batch
from aml_screen.ingest.batch import FILE_REFUSED, IngestResult
from aml_screen.ingest.limits import InputLimits
from aml_screen.ingest.quarantine import quarantined_rows
from aml_screen.ingest.reasons import REASON_CODES

LIMITS = InputLimits(rows=500, columns=40, field_bytes=2_000, line_bytes=8_000,
                     unpacked_bytes=1 << 20)
"""Small bounds, so that the examples also cross them."""
REQUIRED = (["transaction_id", "booked_at", "amount", "currency", "originator_name",
             "beneficiary_name"],
            ["Réf. opération", "Date opération", "Montant", "Devise", "Donneur d'ordre",
             "Bénéficiaire"])
KNOWN = [*REQUIRED[0], *REQUIRED[1], "originator_birth_date", "beneficiary_phone",
         "originator_account", "beneficiary_country", "channel", "purpose"]
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
CELL = st.one_of(
    st.sampled_from(["", "VIR-1", "VIR-1", "03/03/2025", "2025-03-03T10:00:00", "1 250,50",
                     "150000", "-5", "1e400", "XOF", "EUR", "ZZZ", "Iyad Ag Ghaly",
                     "إياد أغ غالي", "Moussa Traoré", "+227 90 12 34 56", "31/02/1980",
                     "NaN", "0001-01-01", "9999-12-31", '"', '""', "a;b", "x\ny", "\x00"]),
    TEXT,
)


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    """Mostly a header the reader recognises (English or French names, in any order),
    with other columns; sometimes anything."""
    extra = draw(st.lists(st.one_of(st.sampled_from(KNOWN), TEXT), max_size=6))
    if draw(st.integers(0, 9)) == 0:
        return extra or ["x"]
    return draw(st.permutations([*draw(st.sampled_from(REQUIRED)), *extra]))
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _read(data: bytes, name: str) -> IngestResult | InputError:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return read_batch(path, limits=LIMITS)
        except InputError as exc:  # refused whole: one line, exit 2
            return exc


def _holds(outcome: IngestResult | InputError) -> None:
    if isinstance(outcome, InputError):
        event(f"refused: {outcome.key}")
        assert outcome.exit_code == 2
        assert outcome.message("fr")
        assert outcome.message("en")
        return
    event("read, with rows quarantined" if outcome.quarantine.height else "read")
    quarantine = outcome.quarantine
    assert outcome.rows_read == outcome.frame.height + quarantined_rows(quarantine)
    assert outcome.rows_read <= LIMITS.rows
    assert set(quarantine.get_column("reason_code")) <= {*REASON_CODES, FILE_REFUSED}
    assert quarantine.get_column("reason").is_not_null().all()
    assert (quarantine.get_column("repeats") >= 1).all()


@SETTINGS
@given(data=st.binary(max_size=3_000), name=st.sampled_from(["b.csv", "b.parquet", "b.xlsx",
                                                             "b.xml", "b.zip", "b.fin"]))
def test_random_bytes(data: bytes, name: str) -> None:
    _holds(_read(data, name))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    header = draw(headers())
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 2), max_size=40))

    def field(value: str) -> str:
        quote = draw(st.booleans()) or any(c in value for c in (delimiter, '"', "\n"))
        return '"' + value.replace('"', '""') + '"' if quote else value

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(field(v) for v in row) for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@SETTINGS
@given(data=csv_files())
def test_csv_of_any_shape(data: bytes) -> None:
    _holds(_read(data, "batch.csv"))


COLUMN = st.one_of(
    st.lists(CELL, min_size=5, max_size=5).map(lambda v: pl.Series(v, dtype=pl.String)),
    st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), min_size=5,
             max_size=5).map(lambda v: pl.Series(v, dtype=pl.Int64)),
    st.lists(st.one_of(st.none(), st.floats()), min_size=5, max_size=5).map(
        lambda v: pl.Series(v, dtype=pl.Float64)),
    st.lists(st.one_of(st.none(), st.decimals(places=2, min_value=-10**9, max_value=10**9,
                                              allow_nan=False)),
             min_size=5, max_size=5).map(lambda v: pl.Series(
                 [None if x is None else Decimal(x) for x in v], dtype=pl.Decimal(20, 2))),
    st.lists(st.one_of(st.none(), st.dates(date(1, 1, 1), date(9999, 12, 31))), min_size=5,
             max_size=5).map(lambda v: pl.Series(v, dtype=pl.Date)),
    st.lists(st.one_of(st.none(), st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30))),
             min_size=5, max_size=5).map(
        lambda v: pl.Series(v, dtype=pl.Datetime("us")).dt.replace_time_zone(str(UTC))),
    st.lists(st.one_of(st.none(), st.booleans()), min_size=5, max_size=5).map(
        lambda v: pl.Series(v, dtype=pl.Boolean)),
    st.lists(st.one_of(st.none(), st.binary(max_size=8)), min_size=5, max_size=5).map(
        lambda v: pl.Series(v, dtype=pl.Binary)),
    st.lists(st.lists(st.text(max_size=5), max_size=3), min_size=5, max_size=5).map(
        lambda v: pl.Series(v, dtype=pl.List(pl.String))),
    st.just(pl.Series([None] * 5, dtype=pl.Null)),
)


@st.composite
def parquet_files(draw: st.DrawFn) -> bytes:
    names = list(dict.fromkeys(name for name in draw(headers()) if name.strip()))
    frame = pl.DataFrame([draw(COLUMN).alias(name) for name in names or ["x"]])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.parquet"
        frame.write_parquet(path)
        return path.read_bytes()


@SETTINGS
@given(data=parquet_files())
def test_parquet_of_any_schema(data: bytes) -> None:
    _holds(_read(data, "batch.parquet"))
