"""A subject's transactions over time: time on x, amount on a log scale on y, money in and
money out drawn with different colours and shapes, the alert's own transactions ringed.
Transactions that would be drawn on top of each other share one mark."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup, escape

from web.charts.axes import Frame, legend, x_axis, y_axis
from web.charts.scales import LogScale, TimeScale, short_number
from web.charts.svg import INK, document, element, group

IN_COLOUR = "#1e6b3a"
OUT_COLOUR = "#d9822b"
HIGHLIGHT = "#b3261e"


@dataclass(frozen=True)
class TimelinePoint:
    at: datetime
    amount: Decimal
    outgoing: bool
    highlighted: bool
    label: str = ""
    """The tooltip of the point drawn alone: who, how much, which transaction."""
    ref: int = -1
    """The caller's handle on the point (a row number), handed back to ``describe``."""


@dataclass(frozen=True)
class TimelineText:
    title: str
    desc: str
    x_label: str
    y_label: str
    incoming: str
    outgoing: str
    highlighted: str


Describe = Callable[[Sequence[TimelinePoint]], str]
"""The tooltip of one mark from the points it stands for (one or more)."""

CELL = 6.0
"""Points of the same kind closer than this (pixels, on both axes) share one mark: a busy
account's thousands of transfers overlap anyway, and one mark each made the page heavy."""
MAX_LINES = 12
"""Lines of a shared mark's default tooltip (the table lists every transaction)."""
SIZE = 4.5


def _joined(points: Sequence[TimelinePoint]) -> str:
    labels = [p.label for p in points[:MAX_LINES]]
    return "\n".join(labels + (["…"] if len(points) > MAX_LINES else []))


def _mark(points: Sequence[TimelinePoint], x: float, y: float, tooltip: str) -> str:
    """One mark as markup text: built with a format string because a busy subject has
    thousands; only ``tooltip`` is text from the data, and it is escaped."""
    first = points[0]
    size = SIZE + min(3.0, math.log2(len(points))) if len(points) > 1 else SIZE
    merged = " merged" if len(points) > 1 else ""
    if first.outgoing:
        shape = (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" '
                 f'height="{2 * size:.1f}" fill="{OUT_COLOUR}" class="point out{merged}"/>')
    else:
        shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{IN_COLOUR}" '
                 f'class="point in{merged}"/>')
    ring = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size + 4:.1f}" fill="none" '
            f'stroke="{HIGHLIGHT}" stroke-width="2" class="highlight"/>'
            if first.highlighted else "")
    return f"<g><title>{escape(tooltip)}</title>{shape}{ring}</g>"


def _merged(points: Sequence[TimelinePoint], xs: TimeScale, ys: LogScale
            ) -> list[tuple[list[TimelinePoint], float, float]]:
    """Points grouped by cell and kind, each group at its members' mean position; the
    alert's own transactions are drawn last, on top."""
    cells: dict[tuple[int, int, bool, bool], list[tuple[TimelinePoint, float, float]]] = {}
    for point in points:
        x, y = xs(point.at), ys(abs(point.amount))
        key = (int(x // CELL), int(y // CELL), point.outgoing, point.highlighted)
        cells.setdefault(key, []).append((point, x, y))
    marks = [([p for p, _, _ in members], sum(x for _, x, _ in members) / len(members),
              sum(y for _, _, y in members) / len(members)) for members in cells.values()]
    return sorted(marks, key=lambda m: (m[0][0].highlighted, m[0][0].at))


def timeline(points: Sequence[TimelinePoint], text: TimelineText, width: int = 900,
             height: int = 300, chart_id: str = "timeline",
             describe: Describe | None = None) -> Markup:
    """Points whose amount is zero or missing cannot sit on a log axis: callers list them in
    the table only. Negative amounts (reversals) are drawn at their absolute value. Points
    that would overlap share a mark (slightly larger), whose tooltip ``describe`` writes
    (by default: the points' labels, one per line)."""
    frame = Frame(width, height, bottom=64)
    drawn = [p for p in points if p.amount != 0]
    xs = TimeScale.covering([p.at for p in drawn], frame.x0 + 8, frame.x1 - 8)
    ys = LogScale.covering([abs(p.amount) for p in drawn], frame.y0, frame.y1)
    tooltip = describe or _joined
    # Safe: _mark escapes the only text from the data (the tooltip); the rest is numbers.
    marks = Markup("".join(_mark(members, x, y, tooltip(members))  # noqa: S704
                           for members, x, y in _merged(drawn, xs, ys)))
    ticks = [(xs(day), day.strftime("%Y-%m-%d")) for day in xs.ticks()]
    body = [
        y_axis(frame, ys.ticks(), ys, text.y_label, short_number),
        x_axis(frame, ticks, text.x_label),
        group([marks], class_="marks"),
        legend([(text.incoming, IN_COLOUR), (text.outgoing, OUT_COLOUR),
                (text.highlighted, HIGHLIGHT)], frame.x0, frame.height - 24,
               frame.x1 - frame.x0),
        element("line", x1=frame.x1, x2=frame.x1, y1=frame.y1, y2=frame.y0, stroke=INK,
                stroke_opacity=0.15),
    ]
    return document(width, height, text.title, text.desc, body, chart_id=chart_id)
