"""Axes, grid lines and legends shared by the charts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from web.charts.svg import GRID, INK, MUTED, element, group, text_element


@dataclass(frozen=True)
class Frame:
    """The plotting area inside a chart of ``width`` × ``height`` pixels."""

    width: int
    height: int
    left: int = 64
    right: int = 16
    top: int = 16
    bottom: int = 48

    @property
    def x0(self) -> float:
        return float(self.left)

    @property
    def x1(self) -> float:
        return float(self.width - self.right)

    @property
    def y0(self) -> float:
        """The bottom of the plotting area (SVG y grows downwards)."""
        return float(self.height - self.bottom)

    @property
    def y1(self) -> float:
        return float(self.top)


def y_axis(frame: Frame, ticks: Sequence[float], position: Callable[[float], float],
           label: str, fmt: Callable[[float], str]) -> Markup:
    """Horizontal grid lines with tick labels, the axis line and its rotated title."""
    parts = []
    for tick in ticks:
        y = position(tick)
        parts.append(element("line", x1=frame.x0, x2=frame.x1, y1=y, y2=y, stroke=GRID,
                             stroke_width=1))
        parts.append(text_element(frame.x0 - 6, y + 4, fmt(tick), anchor="end", fill=MUTED))
    parts.append(element("line", x1=frame.x0, x2=frame.x0, y1=frame.y1, y2=frame.y0,
                         stroke=INK, stroke_width=1))
    middle = (frame.y0 + frame.y1) / 2
    parts.append(text_element(14, middle, label, anchor="middle", size=12,
                              transform=f"rotate(-90 14 {middle:.1f})", class_="axis-label"))
    return group(parts, class_="axis y-axis")


def x_axis(frame: Frame, ticks: Sequence[tuple[float, str]], label: str) -> Markup:
    """The baseline with labelled ticks (position, text) and the axis title below."""
    parts = [element("line", x1=frame.x0, x2=frame.x1, y1=frame.y0, y2=frame.y0, stroke=INK,
                     stroke_width=1)]
    for x, text in ticks:
        parts.append(element("line", x1=x, x2=x, y1=frame.y0, y2=frame.y0 + 4, stroke=INK))
        parts.append(text_element(x, frame.y0 + 16, text, anchor="middle", size=10,
                                  fill=MUTED))
    parts.append(text_element((frame.x0 + frame.x1) / 2, frame.height - 6, label,
                              anchor="middle", size=12, class_="axis-label"))
    return group(parts, class_="axis x-axis")


LEGEND_CHAR_PX = 6.6
"""Width of a character of the 11 px legend font, a little over its average, so that no
name runs into the next one."""


def legend(entries: Sequence[tuple[str, str]], x: float, y: float, width: float,
           row_height: int = 16) -> Markup:
    """Colour swatches with their names, each as wide as its name needs, in rows that
    stay within ``width`` pixels from ``x`` (a name is never cut)."""
    parts = []
    left, top = x, y
    for name, colour in entries:
        needed = 14 + len(name) * LEGEND_CHAR_PX + 18
        if left > x and left + needed > x + width:
            left, top = x, top + row_height
        parts.append(element("rect", x=left, y=top - 9, width=10, height=10, fill=colour))
        parts.append(text_element(left + 14, top, name, size=11))
        left += needed
    return group(parts, class_="legend")


def legend_rows(names: Sequence[str], width: float) -> int:
    """How many rows ``legend`` takes for ``names`` within ``width`` pixels."""
    rows, used = 1, 0.0
    for name in names:
        needed = 14 + len(name) * LEGEND_CHAR_PX + 18
        if used and used + needed > width:
            rows, used = rows + 1, 0.0
        used += needed
    return rows
