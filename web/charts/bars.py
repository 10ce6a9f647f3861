"""Stacked vertical bars (a count per category split by series) and horizontal bars (one
value per row, e.g. a rate with its counts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from web.charts.axes import Frame, legend, legend_rows, x_axis, y_axis
from web.charts.scales import LinearScale, short_number
from web.charts.svg import (
    GRID,
    INK,
    MUTED,
    PALETTE,
    document,
    element,
    group,
    text_element,
    truncate,
)
from web.charts.svg import tooltip as title_of


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str | None = None


def stacked_bars(categories: Sequence[str], series: Sequence[Series], *, title: str,
                 desc: str, x_label: str, y_label: str, width: int = 760,
                 height: int = 300, chart_id: str | None = None) -> Markup:
    """One bar per category, a segment per series with a non-zero value (bottom up); the
    legend below takes as many rows as its names need."""
    rows = legend_rows([s.name for s in series], width - 64 - 16)
    height += 16 * (rows - 1)
    frame = Frame(width, height, bottom=64 + 16 * (rows - 1))
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    scale = LinearScale.covering(totals, frame.y0, frame.y1)
    slot = (frame.x1 - frame.x0) / max(1, len(categories))
    bar_width = max(2.0, slot * 0.7)
    colours = [s.colour or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    bars = []
    for index, category in enumerate(categories):
        left = frame.x0 + index * slot + (slot - bar_width) / 2
        base = 0.0
        for s, colour in zip(series, colours, strict=True):
            value = s.values[index]
            if value <= 0:
                continue
            top, bottom = scale(base + value), scale(base)
            bars.append(element("rect", title_of(f"{category} · {s.name}: {value:g}"),
                                x=left, y=top, width=bar_width, height=bottom - top,
                                fill=colour, class_="bar"))
            base += value
    every = max(1, len(categories) // 13)
    ticks = [(frame.x0 + i * slot + slot / 2, c) for i, c in enumerate(categories)
             if i % every == 0]
    body = [
        y_axis(frame, [t for t in scale.ticks() if t == int(t)], scale, y_label, short_number),
        group(bars, class_="bars"),
        x_axis(frame, ticks, x_label),
        legend([(s.name, c) for s, c in zip(series, colours, strict=True)], frame.x0,
               frame.y0 + 40, frame.x1 - frame.x0),
    ]
    return document(width, height, title, desc, body, chart_id=chart_id)


@dataclass(frozen=True)
class HBar:
    label: str
    value: float
    note: str
    """Shown after the bar, e.g. "12 of 40"."""


def horizontal_bars(rows: Sequence[HBar], *, title: str, desc: str, x_label: str,
                    maximum: float | None = None, fmt: Callable[[float], str] = short_number,
                    width: int = 560, row_height: int = 24,
                    chart_id: str | None = None) -> Markup:
    """One bar per row, labels on the left (truncated; full label in the tooltip)."""
    height = 40 + row_height * max(1, len(rows))
    left, right = 170, 120
    scale = LinearScale(0.0, maximum or max([r.value for r in rows] + [1.0]), left,
                        width - right)
    parts = [element("line", x1=left, x2=left, y1=8, y2=height - 30, stroke=INK)]
    for index, row in enumerate(rows):
        y = 10 + index * row_height
        full = f"{row.label}: {fmt(row.value)} ({row.note})"
        parts.append(group([
            title_of(full),
            text_element(left - 6, y + row_height / 2 + 4, truncate(row.label, 26),
                         anchor="end"),
            element("rect", x=left, y=y + 3, width=max(1.0, scale(row.value) - left),
                    height=row_height - 8, fill=PALETTE[0], class_="bar"),
            text_element(scale(row.value) + 6, y + row_height / 2 + 4,
                         f"{fmt(row.value)} · {row.note}", fill=MUTED, size=10),
        ], class_="row"))
    parts.append(element("line", x1=left, x2=width - right, y1=height - 30, y2=height - 30,
                         stroke=GRID))
    parts.append(text_element((left + width - right) / 2, height - 10, x_label,
                              anchor="middle", size=12, class_="axis-label"))
    return document(width, height, title, desc, parts, chart_id=chart_id)
