"""Laundering patterns planted in a generated batch, with the ground truth of which account
each one should make alert, and under which rule.

- structuring: 3-4 cash deposits of 4.05-4.95 M XOF (just under the 5 M threshold) on one
  account within four days, by different depositors;
- fan_in: 8-12 people each paying one account a similar amount (±20 %) by mobile money
  within five days;
- pass_through: an account receiving 2-20 M XOF by wire and sending 92-99 % of it on within
  2-40 hours;
- cycle: 2-4 accounts passing 1-20 M XOF round by wire, each hop 6-72 hours after the last
  and 97-100 % of its amount, back to the first account (every account should alert);
- funnel: 12-15 people each paying one account 100 000-1 000 000 XOF by mobile money within
  ten days, and the account sending 85-99 % of it to one organiser a day or three later.

Planted accounts (``PLT-…``) are new to the batch; senders and depositors are drawn from the
batch's own names. Rows are text in the batch's layout, with ISO times in UTC.

    planted, truth = plant_patterns(batch, per_pattern=100, seed=11)
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.generate_batch import BATCH_COLUMNS, PERIOD_DAYS, PERIOD_START

PATTERN_RULES = {"structuring": "GEN-STRUCT-01", "fan_in": "GEN-FANIN-01",
                 "pass_through": "GEN-PASSTHRU-01", "cycle": "GEN-CYCLE-01",
                 "funnel": "MS-FUNNEL-01"}
"""The rule of the starter library expected to name each planted pattern."""
_HOUR = 3_600
_SAHEL = np.array(["ML", "NE", "BF", "TD", "MR"])


def plant_patterns(batch: pl.DataFrame, per_pattern: int,
                   seed: int = 11) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``batch`` with ``per_pattern`` instances of each pattern appended, and the truth:
    one row per planted account (``pattern``, ``rule_id``, ``subject_id``)."""
    rng = np.random.default_rng(seed)
    names = batch.get_column("originator_name").unique().sort().to_numpy()
    parts = [
        _structuring(rng, per_pattern, names),
        _fan_in(rng, per_pattern, names),
        _pass_through(rng, per_pattern, names),
        _cycle(rng, per_pattern),
        _funnel(rng, per_pattern, names),
    ]
    planted = pl.concat([p.select(BATCH_COLUMNS) for p, _ in parts])
    truth = pl.concat([t for _, t in parts])
    return pl.concat([batch, planted]), truth


def _stamp(seconds: np.ndarray) -> pl.Series:
    """ISO 8601 text in UTC for ``seconds`` after the generated period's start."""
    base = int(PERIOD_START.astype(np.int64))
    return pl.from_epoch(pl.Series(seconds + base), time_unit="s").dt.strftime(
        "%Y-%m-%dT%H:%M:%S+00:00")


def _frame(pattern: str, account: np.ndarray, seconds: np.ndarray, amount: np.ndarray,
           **columns: object) -> pl.DataFrame:
    ids = pl.int_range(0, account.size, eager=True).cast(pl.String).str.zfill(6)
    frame = pl.DataFrame({
        "transaction_id": f"PLT-{pattern}-" + ids,
        "booked_at": _stamp(seconds),
        "amount": pl.Series(amount.astype(np.int64)).cast(pl.String),
        "currency": "XOF",
    })
    extra = {k: pl.Series(v) if isinstance(v, np.ndarray) else pl.lit(v)
             for k, v in columns.items()}
    return frame.with_columns(**extra).with_columns(
        pl.lit(None, pl.String).alias(c) for c in BATCH_COLUMNS
        if c not in frame.columns and c not in extra)


def _truth(pattern: str, accounts: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame({"pattern": pattern, "rule_id": PATTERN_RULES[pattern],
                         "subject_id": np.unique(accounts)})


def _start(rng: np.random.Generator, count: int, span_days: int) -> np.ndarray:
    return rng.integers(0, (PERIOD_DAYS - span_days) * 86_400, size=count)


def _structuring(rng: np.random.Generator, count: int,
                 names: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    per = rng.integers(3, 5, size=count)
    owner = np.repeat(np.arange(count), per)
    accounts = np.array([f"PLT-STR-{i:05d}" for i in range(count)])[owner]
    seconds = np.repeat(_start(rng, count, 5), per) + rng.integers(0, 96 * _HOUR, owner.size)
    amount = rng.integers(4_050, 4_950, size=owner.size) * 1_000
    frame = _frame("STR", accounts, seconds, amount,
                   originator_name=rng.choice(names, size=owner.size),
                   beneficiary_name=np.array([f"Ets Planté {i}" for i in range(count)])[owner],
                   beneficiary_account=accounts,
                   beneficiary_country=rng.choice(_SAHEL, size=count)[owner],
                   originator_country=rng.choice(_SAHEL, size=count)[owner],
                   channel="Versement espèces", purpose="versement espèces")
    return frame, _truth("structuring", accounts)


def _fan_in(rng: np.random.Generator, count: int,
            names: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    per = rng.integers(8, 13, size=count)
    owner = np.repeat(np.arange(count), per)
    accounts = np.array([f"PLT-FIN-{i:05d}" for i in range(count)])[owner]
    seconds = np.repeat(_start(rng, count, 6), per) + rng.integers(0, 120 * _HOUR, owner.size)
    base = rng.integers(100, 1_000, size=count)[owner] * 1_000
    amount = np.round(base * rng.uniform(0.85, 1.15, size=owner.size), -2)
    senders = np.array([f"{n} {i}" for i, n in enumerate(rng.choice(names, size=owner.size))])
    frame = _frame("FIN", accounts, seconds, amount,
                   originator_name=senders,
                   originator_account=np.array([f"+2237{i:07d}" for i in range(owner.size)]),
                   originator_country=rng.choice(_SAHEL, size=owner.size),
                   beneficiary_name=np.array([f"Collecteur {i}" for i in range(count)])[owner],
                   beneficiary_account=accounts,
                   beneficiary_country=rng.choice(_SAHEL, size=count)[owner],
                   channel="Orange Money", purpose="transfert")
    return frame, _truth("fan_in", accounts)


def _pass_through(rng: np.random.Generator, count: int,
                  names: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    accounts = np.array([f"PLT-PT-{i:05d}" for i in range(count)])
    received = rng.integers(2_000, 20_000, size=count) * 1_000
    sent = np.round(received * rng.uniform(0.92, 0.99, size=count), -3)
    start = _start(rng, count, 3)
    inflow = _frame("PTI", accounts, start, received,
                    originator_name=rng.choice(names, size=count),
                    originator_account=np.array([f"PLT-SRC-{i:05d}" for i in range(count)]),
                    beneficiary_name=np.array([f"Mule {i}" for i in range(count)]),
                    beneficiary_account=accounts, channel="Virement",
                    purpose="paiement marchandises")
    outflow = _frame("PTO", accounts, start + rng.integers(2 * _HOUR, 40 * _HOUR, size=count),
                     sent, originator_name=np.array([f"Mule {i}" for i in range(count)]),
                     originator_account=accounts,
                     beneficiary_name=rng.choice(names, size=count),
                     beneficiary_account=np.array([f"PLT-DST-{i:05d}" for i in range(count)]),
                     channel="Virement", purpose="règlement fournisseur")
    return pl.concat([inflow.select(BATCH_COLUMNS), outflow.select(BATCH_COLUMNS)]), _truth(
        "pass_through", accounts)


def _cycle(rng: np.random.Generator, count: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    hops = rng.integers(2, 5, size=count)
    owner = np.repeat(np.arange(count), hops)
    position = np.concatenate([np.arange(h) for h in hops])
    following = np.where(position + 1 == hops[owner], 0, position + 1)
    senders = np.array([f"PLT-CYC-{o:05d}-{k}" for o, k in zip(owner, position, strict=True)])
    receivers = np.array([f"PLT-CYC-{o:05d}-{k}" for o, k in zip(owner, following,
                                                                  strict=True)])
    gaps = rng.integers(6 * _HOUR, 72 * _HOUR, size=owner.size)
    offsets = np.concatenate([np.cumsum(np.r_[0, gaps[owner == i][:-1]])
                              for i in range(count)])
    shrink = rng.uniform(0.97, 1.0, size=owner.size)
    factors = np.concatenate([np.cumprod(shrink[owner == i]) for i in range(count)])
    amount = np.round(rng.integers(1_000, 20_000, size=count)[owner] * 1_000 * factors, -2)
    frame = _frame("CYC", senders, np.repeat(_start(rng, count, 13), hops) + offsets, amount,
                   originator_name=np.char.add("Société ", senders),
                   originator_account=senders,
                   beneficiary_name=np.char.add("Société ", receivers),
                   beneficiary_account=receivers, channel="Virement",
                   purpose="règlement facture")
    return frame, _truth("cycle", senders)


def _funnel(rng: np.random.Generator, count: int,
            names: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    per = rng.integers(12, 16, size=count)
    owner = np.repeat(np.arange(count), per)
    accounts = np.array([f"PLT-FUN-{i:05d}" for i in range(count)])
    start = _start(rng, count, 14)
    seconds = start[owner] + rng.integers(0, 240 * _HOUR, owner.size)
    amount = rng.integers(100, 1_000, size=owner.size) * 1_000
    inflow = _frame("FUI", accounts[owner], seconds, amount,
                    originator_name=rng.choice(names, size=owner.size),
                    originator_account=np.array([f"+2277{i:07d}" for i in range(owner.size)]),
                    beneficiary_name=np.array([f"Agent {i}" for i in range(count)])[owner],
                    beneficiary_account=accounts[owner], channel="Orange Money",
                    purpose="transfert")
    totals = np.bincount(owner, weights=amount, minlength=count)
    outflow = _frame("FUO", accounts,
                     start + 240 * _HOUR + rng.integers(24 * _HOUR, 72 * _HOUR, size=count),
                     np.round(totals * rng.uniform(0.85, 0.99, size=count), -3),
                     originator_name=np.array([f"Agent {i}" for i in range(count)]),
                     originator_account=accounts,
                     beneficiary_name=rng.choice(names, size=count),
                     beneficiary_account=np.array([f"PLT-ORG-{i:05d}" for i in range(count)]),
                     channel="Orange Money", purpose="transfert")
    return pl.concat([inflow.select(BATCH_COLUMNS), outflow.select(BATCH_COLUMNS)]), _truth(
        "funnel", accounts)
