"""Synthetic Sahel transaction batches for benchmarks, in the canonical input layout.

Rows are mobile-money transfers (Orange Money, Moov Money, Wave...), wires between IBAN
accounts, cash deposits and hawala-like transfers from the diaspora, between parties drawn
with Zipf-like reuse from a pool (a few very active merchants and families, a long tail),
so that distinct names are some 5-10 % of rows. Amounts are log-normal with round figures
over-represented, drawn in XOF and converted; they are turned into exact decimal text from
integer minor units at each currency's scale, so no float ever reaches the batch file.

    python benchmarks/generate_batch.py --rows 1000000 --out batch.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import parties
from benchmarks import sahel_names as sn

BATCH_COLUMNS = (
    "transaction_id", "booked_at", "amount", "currency", "originator_name",
    "originator_account", "originator_country", "beneficiary_name", "beneficiary_account",
    "beneficiary_country", "channel", "purpose",
)
CHANNELS = ("mobile", "wire", "cash", "hawala")
CHANNEL_SHARES = (0.55, 0.24, 0.14, 0.07)
_MEDIAN_XOF = (25_000.0, 1_500_000.0, 400_000.0, 250_000.0)
"""Median amount per channel, in XOF; the spread is log-normal with sigma ``_SIGMA``."""
_SIGMA = (1.1, 1.4, 1.2, 0.9)
_COMPANY_SHARE = ((0.02, 0.10), (0.55, 0.60), (0.10, 0.50), (0.0, 0.0))
"""Probability that the (originator, beneficiary) of a row of each channel is a business."""
XOF_PER_UNIT = {"XOF": 1.0, "XAF": 1.0, "MRU": 16.5, "EUR": 655.957, "USD": 605.0}
SCALE = {"XOF": 0, "XAF": 0, "MRU": 2, "EUR": 2, "USD": 2}
ROUND_SHARE = 0.4
UTC_OFFSET = {"ML": "+00:00", "BF": "+00:00", "MR": "+00:00", "SN": "+00:00", "CI": "+00:00",
              "NE": "+01:00", "TD": "+01:00", "NG": "+01:00", "DZ": "+01:00"}
PERIOD_START = np.datetime64("2025-03-01T00:00:00", "s")
PERIOD_DAYS = 31
PERSONS_PER_ROW = 0.09
COMPANIES_PER_ROW = 0.012


def generate_batch(
    rows: int, seed: int = 7, listed_names: Sequence[str] = (), listed_share: float = 0.001
) -> pl.DataFrame:
    """``rows`` transactions (all columns text), the same for the same arguments.

    A share ``listed_share`` of the party slots (originator or beneficiary) holds one of the
    bank spellings of ``listed_names`` (see ``parties.bank_variants``).
    """
    rng = np.random.default_rng(seed)
    person_pool = parties.persons(rng, max(50, round(rows * PERSONS_PER_ROW)))
    company_pool = parties.companies(rng, max(10, round(rows * COMPANIES_PER_ROW)))
    listed_pool = parties.listed_parties(rng, listed_names)
    pool = pl.concat([person_pool, company_pool, listed_pool])
    channel = rng.choice(len(CHANNELS), size=rows, p=CHANNEL_SHARES)
    slots = [
        _party_slots(rng, channel, role, person_pool.height, company_pool.height,
                     listed_pool.height, listed_share)
        for role in (0, 1)
    ]
    originator, beneficiary = (pool.gather(slot) for slot in slots)
    frame = pl.DataFrame({
        "channel_kind": np.array(CHANNELS)[channel],
        "o_name": originator["name"], "o_country": originator["country"],
        "o_phone": originator["phone"], "o_account": originator["account"],
        "b_name": beneficiary["name"], "b_country": beneficiary["country"],
        "b_phone": beneficiary["phone"], "b_account": beneficiary["account"],
        "_u": rng.random(rows), "_v": rng.random(rows), "_w": rng.random(rows),
        "_seconds": _booking_seconds(rng, rows),
    })
    frame = frame.with_columns(
        _local_currency=pl.col("o_country").replace_strict(
            {code: spec.currency for code, spec in sn.COUNTRIES.items()}),
        _diaspora=pl.Series(rng.choice(sn.DIASPORA_COUNTRIES, size=rows)),
    ).with_columns(currency=_currency())
    currency = frame.get_column("currency")
    minor = _amount_minor(
        rng, channel,
        currency.replace_strict(XOF_PER_UNIT, return_dtype=pl.Float64).to_numpy(),
        currency.replace_strict(SCALE, return_dtype=pl.Int64).to_numpy(),
    )
    frame = frame.with_columns(_minor=pl.Series(minor))
    batch = frame.select(
        booked_at=_booked_at(),
        amount=_amount_text(),
        currency="currency",
        originator_name="o_name",
        originator_account=_account("o", originator=True),
        originator_country=pl.when((pl.col("channel_kind") == "hawala") & (pl.col("_v") < 0.6))
        .then("_diaspora").otherwise("o_country"),
        beneficiary_name="b_name",
        beneficiary_account=_account("b", originator=False),
        beneficiary_country="b_country",
        channel=_channel_label(),
        purpose=_purpose(rng, channel),
        _seconds="_seconds",
    ).sort("_seconds", maintain_order=True).drop("_seconds")
    width = max(8, len(str(rows)))
    ids = pl.int_range(1, rows + 1, eager=True).cast(pl.String).str.zfill(width)
    return batch.with_columns(transaction_id=pl.lit("TRX") + ids).select(BATCH_COLUMNS)


def _party_slots(rng: parties.Rng, channel: np.ndarray, role: int, persons: int,
                 companies: int, listed: int, listed_share: float) -> np.ndarray:
    """Pool row of the party in one role of every row: a person or a business by channel,
    Zipf-reused within its pool; a listed spelling in ``listed_share`` of the slots."""
    size = channel.size
    business = rng.random(size) < np.array([share[role] for share in _COMPANY_SHARE])[channel]
    person = rng.choice(persons, size=size, p=parties.zipf_weights(persons, offset=10.0))
    company = persons + rng.choice(companies, size=size,
                                   p=parties.zipf_weights(companies, offset=5.0))
    slot = np.where(business, company, person)
    if listed:
        chosen = rng.random(size) < listed_share
        slot[chosen] = persons + companies + rng.integers(0, listed, size=int(chosen.sum()))
    return slot


def _booking_seconds(rng: parties.Rng, size: int) -> np.ndarray:
    """Seconds since the period start: any day, mostly in business hours (7h-20h)."""
    hour_weights = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 11, 12, 12, 11, 10,
                             8, 6, 4, 3, 2, 1], dtype=np.float64)
    hours = rng.choice(24, size=size, p=hour_weights / hour_weights.sum())
    days = rng.integers(0, PERIOD_DAYS, size=size)
    return (days * 86_400 + hours * 3_600 + rng.integers(0, 3_600, size=size)).astype(np.int64)


def _currency() -> pl.Expr:
    """Local currency for mobile money and cash; wires partly in EUR/USD; hawala mostly EUR."""
    kind, u = pl.col("channel_kind"), pl.col("_u")
    return (
        pl.when(kind == "wire").then(
            pl.when(u < 0.14).then(pl.lit("EUR")).when(u < 0.22).then(pl.lit("USD"))
            .otherwise("_local_currency"))
        .when(kind == "hawala").then(
            pl.when(u < 0.5).then(pl.lit("EUR")).when(u < 0.7).then(pl.lit("USD"))
            .otherwise(pl.lit("XOF")))
        .otherwise("_local_currency")
    )


def _amount_minor(rng: parties.Rng, channel: np.ndarray, xof_per_unit: np.ndarray,
                  scale: np.ndarray) -> np.ndarray:
    """Amounts in minor units of each row's currency; ``ROUND_SHARE`` of them round
    (150 000, 2 500 000, 1 500.00 EUR) at a step of the amount's order of magnitude."""
    xof = rng.lognormal(np.log(np.array(_MEDIAN_XOF)[channel]), np.array(_SIGMA)[channel])
    units = xof / xof_per_unit
    magnitude = 10.0 ** np.floor(np.log10(np.maximum(units, 1.0)))
    step = magnitude / rng.choice([1, 2, 4, 10], size=channel.size)
    rounded = np.maximum(np.round(units / step) * step, step)
    chosen = np.where(rng.random(channel.size) < ROUND_SHARE, rounded, units)
    minor: np.ndarray = np.maximum(np.round(chosen * 10.0**scale), 1).astype(np.int64)
    return minor


def _amount_text() -> pl.Expr:
    """``150000`` for XOF/XAF, ``1234.50`` for two-decimal currencies."""
    minor = pl.col("_minor")
    two_places = (minor // 100).cast(pl.String) + "." + (minor % 100).cast(pl.String).str.zfill(2)
    return pl.when(pl.col("currency").is_in(["XOF", "XAF"])).then(
        minor.cast(pl.String)).otherwise(two_places)


def _booked_at() -> pl.Expr:
    """Mobile-money platforms export naive local time; core banking ISO time with the
    originator country's offset."""
    stamp = pl.from_epoch(pl.col("_seconds") + int(PERIOD_START.astype(np.int64)))
    offset = pl.col("o_country").replace_strict(UTC_OFFSET)
    return (
        pl.when(pl.col("channel_kind") == "mobile")
        .then(stamp.dt.strftime("%Y-%m-%d %H:%M:%S"))
        .otherwise(stamp.dt.strftime("%Y-%m-%dT%H:%M:%S") + offset)
    )


def _account(prefix: str, *, originator: bool) -> pl.Expr:
    """Phone number for mobile money; IBAN for wires and cash credited to an account;
    nothing for the cash depositor or the hawala sender abroad."""
    kind = pl.col("channel_kind")
    no_account = (kind == "hawala") if originator else (kind == "hawala") & (pl.col("_w") < 0.5)
    if originator:
        no_account = no_account | (kind == "cash")
    phone = (kind == "mobile") | ((kind == "hawala") & pl.lit(not originator))
    return (
        pl.when(no_account).then(pl.lit(None, dtype=pl.String))
        .when(phone).then(pl.col(f"{prefix}_phone"))
        .otherwise(pl.col(f"{prefix}_account"))
    )


def _channel_label() -> pl.Expr:
    """The wallet operator of the originator's country for mobile money; French labels
    for the other channels, as the bank's core system writes them."""
    country, u = pl.col("o_country"), pl.col("_u")
    wallet = (
        pl.when(country == "MR").then(pl.lit("Bankily"))
        .when(country == "TD").then(pl.when(u < 0.6).then(pl.lit("Airtel Money"))
                                    .otherwise(pl.lit("Moov Money")))
        .when(u < 0.5).then(pl.lit("Orange Money"))
        .when(u < 0.8).then(pl.lit("Moov Money"))
        .otherwise(pl.lit("Wave"))
    )
    return pl.col("channel_kind").replace_strict(
        {"wire": "Virement", "cash": "Versement espèces", "hawala": "Transfert hawala"},
        default=wallet,
    )


def _purpose(rng: parties.Rng, channel: np.ndarray) -> pl.Series:
    """A French payment reason from the channel's list (null where the record has none)."""
    purposes = np.empty(channel.size, dtype=object)
    for code, kind in enumerate(CHANNELS):
        rows = np.flatnonzero(channel == code)
        options = sn.PURPOSES[kind]
        picks = rng.choice(len(options), size=rows.size, p=parties.zipf_weights(len(options)))
        purposes[rows] = np.array(options, dtype=object)[picks]
    return pl.Series(purposes, dtype=pl.String)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="FILE.csv or FILE.parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--listed", type=Path,
                        help="text file with one listed name per line, to plant as hits")
    parser.add_argument("--listed-share", type=float, default=0.001)
    args = parser.parse_args(argv)
    listed = args.listed.read_text(encoding="utf-8").splitlines() if args.listed else ()
    batch = generate_batch(args.rows, args.seed, listed, args.listed_share)
    if args.out.suffix.lower() not in (".csv", ".parquet"):
        parser.error(f"--out must end in .csv or .parquet: {args.out}")
    write_batch(batch, args.out)


def write_batch(batch: pl.DataFrame, out: Path) -> None:
    """Parquet for a ``.parquet`` file, else CSV (UTF-8, comma-separated)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        batch.write_parquet(out)
    else:
        batch.write_csv(out)


if __name__ == "__main__":
    main()
