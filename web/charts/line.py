"""A line over categories (e.g. weeks), broken where a value is missing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup

from web.charts.axes import Frame, x_axis, y_axis
from web.charts.scales import LinearScale, short_number
from web.charts.svg import PALETTE, document, element, group
from web.charts.svg import tooltip as title_of


def line_chart(categories: Sequence[str], values: Sequence[float | None], *, title: str,
               desc: str, x_label: str, y_label: str,
               fmt: Callable[[float], str] = short_number, width: int = 760,
               height: int = 260, chart_id: str | None = None) -> Markup:
    """Points joined by a line; ``None`` (no data that week) leaves a gap."""
    frame = Frame(width, height)
    known = [v for v in values if v is not None]
    scale = LinearScale.covering(known, frame.y0, frame.y1)
    slot = (frame.x1 - frame.x0) / max(1, len(categories))
    segments: list[list[tuple[float, float]]] = [[]]
    points = []
    for index, (category, value) in enumerate(zip(categories, values, strict=True)):
        if value is None:
            segments.append([])
            continue
        x, y = frame.x0 + index * slot + slot / 2, scale(value)
        segments[-1].append((x, y))
        points.append(element("circle", title_of(f"{category}: {fmt(value)}"), cx=x, cy=y,
                              r=3.5, fill=PALETTE[0], class_="point"))
    lines = [element("polyline", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in segment),
                     fill="none", stroke=PALETTE[0], stroke_width=2)
             for segment in segments if len(segment) > 1]
    every = max(1, len(categories) // 13)
    ticks = [(frame.x0 + i * slot + slot / 2, c) for i, c in enumerate(categories)
             if i % every == 0]
    body = [y_axis(frame, scale.ticks(), scale, y_label, fmt), group(lines, class_="line"),
            group(points, class_="points"), x_axis(frame, ticks, x_label)]
    return document(width, height, title, desc, body, chart_id=chart_id)
