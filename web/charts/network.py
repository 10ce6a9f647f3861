"""The counterparty network around a subject, laid out deterministically: the subject in the
centre, counterparties on rings sorted by amount (largest on the inner ring, starting at
twelve o'clock and going clockwise), ties broken by name, so the same data always gives the
same picture."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from web.charts.svg import INK, MUTED, document, element, group, text_element, truncate
from web.charts.svg import tooltip as title_of

RING_SIZES = (8, 14, 20)
MAX_NODES = sum(RING_SIZES) - 2
"""Counterparties drawn at most (38); the rest are summed up in a "+N more" note."""
NODE_COLOUR = "#0b5cad"
FLAGGED_COLOUR = "#b3261e"
CENTRE_COLOUR = "#14213d"
EDGE_COLOUR = "#8a93a6"
LABEL_CHARS = 18


@dataclass(frozen=True)
class Counterparty:
    name: str
    weight: float
    """What node size and edge width follow (the total in the chart's currency)."""
    sends: bool
    """Money flows from the counterparty to the subject."""
    receives: bool
    """Money flows from the subject to the counterparty."""
    flagged: bool
    """Itself alerted or hit on a list."""
    detail: str
    """The tooltip: full name, counts and totals."""


@dataclass(frozen=True)
class NetworkText:
    title: str
    desc: str
    more: str
    """Already formatted, e.g. "+12 more counterparties (listed in the table)"."""
    flagged: str
    plain: str


@dataclass(frozen=True)
class Placed:
    party: Counterparty
    x: float
    y: float
    radius: float


def layout(parties: Sequence[Counterparty], cx: float, cy: float,
           ring_gap: float) -> list[Placed]:
    """Positions for the first ``MAX_NODES`` counterparties by descending weight."""
    ranked = sorted(parties, key=lambda p: (-p.weight, p.name))[:MAX_NODES]
    heaviest = max([p.weight for p in ranked] + [0.0])
    placed: list[Placed] = []
    start = 0
    for ring, size in enumerate(RING_SIZES, start=1):
        members = ranked[start:start + size]
        if not members:
            break
        offset = 0.0 if ring % 2 else math.pi / len(members)
        for index, party in enumerate(members):
            angle = -math.pi / 2 + offset + 2 * math.pi * index / len(members)
            share = party.weight / heaviest if heaviest > 0 else 0.0
            placed.append(Placed(party, cx + ring * ring_gap * math.cos(angle),
                                 cy + ring * ring_gap * math.sin(angle),
                                 6 + 12 * math.sqrt(share)))
        start += size
    return placed


def _edge(node: Placed, cx: float, cy: float, centre_radius: float, width: float,
          marker: str) -> Markup:
    """A line between the centre and the node, trimmed to the circles' borders, with an
    arrowhead at each end money flows to."""
    dx, dy = node.x - cx, node.y - cy
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    gap = 3.0
    x1, y1 = cx + ux * (centre_radius + gap), cy + uy * (centre_radius + gap)
    x2, y2 = node.x - ux * (node.radius + gap), node.y - uy * (node.radius + gap)
    return element(
        "line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=EDGE_COLOUR, stroke_width=width,
        marker_end=f"url(#{marker})" if node.party.receives else None,
        marker_start=f"url(#{marker})" if node.party.sends else None,
        class_="edge",
    )


def network(subject: str, parties: Sequence[Counterparty], text: NetworkText,
            width: int = 900, height: int = 640, chart_id: str = "network") -> Markup:
    cx, cy = width / 2, (height - 30) / 2
    shown = min(len(parties), MAX_NODES)
    rings = next(r for r in range(1, len(RING_SIZES) + 1) if shown <= sum(RING_SIZES[:r]))
    ring_gap = (min(cx, cy) - 30) / (rings + 0.15)
    placed = layout(parties, cx, cy, ring_gap)
    heaviest = max([p.party.weight for p in placed] + [0.0])
    marker = f"{chart_id}-arrow"
    defs = element("defs", element(
        "marker", element("path", d="M0,0 L10,5 L0,10 z", fill=EDGE_COLOUR),
        id=marker, viewBox="0 0 10 10", refX=9, refY=5, markerWidth=5, markerHeight=5,
        orient="auto-start-reverse"))
    centre_radius = 22.0
    edges = [_edge(node, cx, cy, centre_radius,
                   1 + 5 * math.sqrt(node.party.weight / heaviest) if heaviest else 1.0,
                   marker)
             for node in placed]
    nodes = []
    for node in placed:
        colour = FLAGGED_COLOUR if node.party.flagged else NODE_COLOUR
        shape = (element("rect", x=node.x - node.radius, y=node.y - node.radius,
                         width=2 * node.radius, height=2 * node.radius, fill=colour,
                         transform=f"rotate(45 {node.x:.1f} {node.y:.1f})",
                         class_="node flagged")
                 if node.party.flagged else
                 element("circle", cx=node.x, cy=node.y, r=node.radius, fill=colour,
                         class_="node"))
        below = node.y >= cy
        nodes.append(group([
            title_of(node.party.detail), shape,
            text_element(node.x, node.y + (node.radius + 12 if below else -node.radius - 5),
                         truncate(node.party.name, LABEL_CHARS), anchor="middle", size=10),
        ], class_="counterparty"))
    centre = group([
        title_of(subject),
        element("circle", cx=cx, cy=cy, r=centre_radius, fill=CENTRE_COLOUR, class_="subject"),
        text_element(cx, cy + centre_radius + 14, truncate(subject, 28), anchor="middle",
                     size=12, font_weight="bold"),
    ], class_="centre")
    hidden = len(parties) - len(placed)
    footer = [
        element("circle", cx=20, cy=height - 14, r=6, fill=NODE_COLOUR),
        text_element(32, height - 10, text.plain),
        element("rect", x=214, y=height - 20, width=11, height=11, fill=FLAGGED_COLOUR,
                transform=f"rotate(45 219.5 {height - 14.5})"),
        text_element(232, height - 10, text.flagged),
    ]
    if hidden > 0:
        footer.append(text_element(width - 10, height - 10, text.more, anchor="end",
                                   fill=MUTED, class_="more"))
    body = [defs, group(edges, class_="edges"), group(nodes, class_="nodes"), centre,
            group(footer, class_="legend"),
            element("rect", x=0.5, y=0.5, width=width - 1, height=height - 1, fill="none",
                    stroke=INK, stroke_opacity=0.1)]
    return document(width, height, text.title, text.desc, body, chart_id=chart_id)
