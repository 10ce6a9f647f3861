"""A subject's transactions over time: time on x, amount on a log scale on y, money in and
money out drawn with different colours and shapes, the alert's own transactions ringed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from markupsafe import Markup

from web.charts.axes import Frame, legend, x_axis, y_axis
from web.charts.scales import LogScale, TimeScale, short_number
from web.charts.svg import INK, document, element, group
from web.charts.svg import tooltip as title_of

IN_COLOUR = "#1e6b3a"
OUT_COLOUR = "#d9822b"
HIGHLIGHT = "#b3261e"


@dataclass(frozen=True)
class TimelinePoint:
    at: datetime
    amount: Decimal
    outgoing: bool
    highlighted: bool
    label: str
    """The tooltip: who, how much, which transaction."""


@dataclass(frozen=True)
class TimelineText:
    title: str
    desc: str
    x_label: str
    y_label: str
    incoming: str
    outgoing: str
    highlighted: str


def _mark(point: TimelinePoint, x: float, y: float) -> Markup:
    size = 4.5
    if point.outgoing:
        shape = element("rect", x=x - size, y=y - size, width=2 * size, height=2 * size,
                        fill=OUT_COLOUR, class_="point out")
    else:
        shape = element("circle", cx=x, cy=y, r=size, fill=IN_COLOUR, class_="point in")
    parts = [title_of(point.label), shape]
    if point.highlighted:
        parts.append(element("circle", cx=x, cy=y, r=size + 4, fill="none",
                             stroke=HIGHLIGHT, stroke_width=2, class_="highlight"))
    return group(parts)


def timeline(points: Sequence[TimelinePoint], text: TimelineText, width: int = 900,
             height: int = 300, chart_id: str = "timeline") -> Markup:
    """Points whose amount is zero or missing cannot sit on a log axis: callers list them in
    the table only. Negative amounts (reversals) are drawn at their absolute value."""
    frame = Frame(width, height, bottom=64)
    drawn = [p for p in points if p.amount != 0]
    xs = TimeScale.covering([p.at for p in drawn], frame.x0 + 8, frame.x1 - 8)
    ys = LogScale.covering([abs(p.amount) for p in drawn], frame.y0, frame.y1)
    ordered = sorted(drawn, key=lambda p: (p.highlighted, p.at))
    marks = [_mark(p, xs(p.at), ys(abs(p.amount))) for p in ordered]
    ticks = [(xs(day), day.strftime("%Y-%m-%d")) for day in xs.ticks()]
    body = [
        y_axis(frame, ys.ticks(), ys, text.y_label, short_number),
        x_axis(frame, ticks, text.x_label),
        group(marks, class_="marks"),
        legend([(text.incoming, IN_COLOUR), (text.outgoing, OUT_COLOUR),
                (text.highlighted, HIGHLIGHT)], frame.x0, frame.height - 24,
               frame.x1 - frame.x0),
        element("line", x1=frame.x1, x2=frame.x1, y1=frame.y1, y2=frame.y0, stroke=INK,
                stroke_opacity=0.15),
    ]
    return document(width, height, text.title, text.desc, body, chart_id=chart_id)
