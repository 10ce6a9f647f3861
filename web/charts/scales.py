"""Scales map data values to pixel positions, and choose readable tick marks.

Amounts are ``Decimal`` in the store; a scale turns them into float pixel positions only
(drawing needs no exact money arithmetic, and nothing drawn is summed again)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

Number = int | float | Decimal


def _nice_step(span: float, count: int) -> float:
    raw = span / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


@dataclass(frozen=True)
class LinearScale:
    """``lo``..``hi`` onto ``start``..``end`` pixels (``end`` < ``start`` for a y axis)."""

    lo: float
    hi: float
    start: float
    end: float

    @classmethod
    def covering(cls, values: Sequence[Number], start: float, end: float,
                 ticks: int = 5) -> LinearScale:
        """From zero (or the lowest negative value) up to a round number above the highest."""
        top = max([float(v) for v in values] + [0.0])
        bottom = min([float(v) for v in values] + [0.0])
        if top == bottom:
            top = bottom + 1
        step = _nice_step(top - bottom, ticks)
        return cls(math.floor(bottom / step) * step, math.ceil(top / step) * step, start, end)

    def __call__(self, value: Number) -> float:
        share = (float(value) - self.lo) / (self.hi - self.lo)
        return self.start + share * (self.end - self.start)

    def ticks(self, count: int = 5) -> list[float]:
        step = _nice_step(self.hi - self.lo, count)
        first = math.ceil(self.lo / step) * step
        found = []
        value = first
        while value <= self.hi + step * 1e-9:
            found.append(round(value, 10))
            value += step
        return found


@dataclass(frozen=True)
class LogScale:
    """Positive amounts on a base-10 log axis: a 5 000 and a 50 000 000 transfer both
    stay visible. Non-positive values are clamped to the bottom."""

    lo: float
    hi: float
    start: float
    end: float

    @classmethod
    def covering(cls, values: Sequence[Number], start: float, end: float) -> LogScale:
        positive = [float(v) for v in values if v > 0]
        if not positive:
            return cls(1.0, 10.0, start, end)
        lo = 10 ** math.floor(math.log10(min(positive)))
        hi = 10 ** math.ceil(math.log10(max(positive)))
        return cls(lo, hi if hi > lo else lo * 10, start, end)

    def __call__(self, value: Number) -> float:
        amount = max(float(value), self.lo)
        share = (math.log10(amount) - math.log10(self.lo)) / (
            math.log10(self.hi) - math.log10(self.lo))
        return self.start + share * (self.end - self.start)

    def ticks(self) -> list[float]:
        first, last = round(math.log10(self.lo)), round(math.log10(self.hi))
        return [10.0 ** power for power in range(first, last + 1)]


@dataclass(frozen=True)
class TimeScale:
    """UTC times onto pixels, with ticks on round days, weeks or months."""

    lo: datetime
    hi: datetime
    start: float
    end: float

    @classmethod
    def covering(cls, values: Sequence[datetime], start: float, end: float) -> TimeScale:
        if not values:
            now = datetime.now(UTC)
            return cls(now - timedelta(days=1), now, start, end)
        lo, hi = min(values), max(values)
        pad = max((hi - lo) * 0.03, timedelta(hours=12))
        return cls(lo - pad, hi + pad, start, end)

    def __call__(self, value: datetime) -> float:
        share = (value - self.lo) / (self.hi - self.lo)
        return self.start + share * (self.end - self.start)

    def ticks(self, count: int = 6) -> list[datetime]:
        """Midnights spaced by a whole number of days (1, 7, 14, 30...)."""
        span_days = (self.hi - self.lo).total_seconds() / 86400
        step = next((d for d in (1, 2, 7, 14, 30, 61, 91, 182, 365)
                     if span_days / d <= count), 365 * max(1, round(span_days / 365 / count)))
        day = datetime(self.lo.year, self.lo.month, self.lo.day, tzinfo=UTC) + timedelta(days=1)
        found = []
        while day <= self.hi:
            found.append(day)
            day += timedelta(days=step)
        return found


def short_number(value: float) -> str:
    """Tick labels: 1 500 → 1.5k, 2 000 000 → 2M (the tables give exact amounts)."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"
