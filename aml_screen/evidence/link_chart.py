"""``link_chart.svg``: the case subject's link chart as a picture for the evidence package.

Laid out without randomness, so the same data gives the same bytes (the package's digest
must not depend on when it is built): the subject in the centre, its counterparties on a
ring sorted by name, theirs on an outer ring next to the counterparty they dealt with.
Arrows go from payer to payee, labelled with the total and count per currency; listed
subjects are red, alerted ones orange. Plain SVG with presentation attributes (no script,
no style sheet), titled and described for screen readers, every text escaped.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from aml_screen.evidence.data import LinkInfo, LinkNodeInfo
from aml_screen.i18n import number, translate

WIDTH, HEIGHT = 1000, 820
RINGS = (0.0, 230.0, 370.0)
LABEL_CHARS = 26
COLOURS = {"root": "#1d3f72", "listed": "#b3261e", "alerted": "#e08a00", "other": "#8a94a6"}


def _colour(node: LinkNodeInfo) -> str:
    if node.hop == 0:
        return COLOURS["root"]
    return COLOURS["listed" if node.listed else "alerted" if node.alerted else "other"]


def _label(text: str | None) -> str:
    value = text or "—"
    return escape(value if len(value) <= LABEL_CHARS else value[:LABEL_CHARS - 1] + "…")


def _positions(nodes: list[LinkNodeInfo], links: list[LinkInfo]) -> dict[str, tuple[float, float]]:
    cx, cy = WIDTH / 2, HEIGHT / 2
    placed: dict[str, tuple[float, float]] = {}
    angle_of: dict[str, float] = {}
    by_hop: dict[int, list[LinkNodeInfo]] = {}
    for node in nodes:
        by_hop.setdefault(min(node.hop, 2), []).append(node)
    for root in by_hop.get(0, []):
        placed[root.subject_id] = (cx, cy)
    first = sorted(by_hop.get(1, []), key=lambda n: ((n.name or "").casefold(), n.subject_id))
    for i, node in enumerate(first):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(first))
        angle_of[node.subject_id] = angle
        placed[node.subject_id] = (cx + RINGS[1] * math.cos(angle), cy + RINGS[1] * math.sin(angle))
    neighbours: dict[str, set[str]] = {}
    for link in links:
        neighbours.setdefault(link.source, set()).add(link.target)
        neighbours.setdefault(link.target, set()).add(link.source)
    second = by_hop.get(2, [])

    def anchor(node: LinkNodeInfo) -> float:
        near = sorted(angle_of[n] for n in neighbours.get(node.subject_id, ()) if n in angle_of)
        return near[0] if near else 0.0

    ordered = sorted(second, key=lambda n: (anchor(n), (n.name or "").casefold(), n.subject_id))
    for i, node in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / max(1, len(ordered))
        placed[node.subject_id] = (cx + RINGS[2] * math.cos(angle), cy + RINGS[2] * math.sin(angle))
    return placed


def link_chart_svg(nodes: list[LinkNodeInfo], links: list[LinkInfo], lang: str) -> bytes:
    """The chart as SVG bytes (UTF-8)."""
    root = next((n for n in nodes if n.hop == 0), None)
    title = translate("evidence.link_chart.title", lang,
                      name=(root.name or root.subject_id) if root else "")
    desc = translate("evidence.link_chart.desc", lang, subjects=number(len(nodes), lang),
                     links=number(len(links), lang))
    at = _positions(nodes, links)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
             f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
             'fill="#8a94a6"/></marker></defs>',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
             f'<text x="20" y="30" font-family="sans-serif" font-size="16" '
             f'font-weight="bold" fill="#1b2430">{escape(title)}</text>']
    ordered = sorted(links, key=lambda k: (k.source, k.target, k.currency or ""))
    for link in ordered:
        if link.source not in at or link.target not in at:
            continue
        (x1, y1), (x2, y2) = at[link.source], at[link.target]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        sx, sy, ex, ey = x1 + 14 * ux, y1 + 14 * uy, x2 - 14 * ux, y2 - 14 * uy
        width = 1 + math.log1p(link.count)
        text = f"{number(link.total, lang, places=0)} {link.currency or ''} ({link.count})"
        parts.append(f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" '
                     f'stroke="#b7c0cf" stroke-width="{width:.1f}" marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{(sx + ex) / 2:.1f}" y="{(sy + ey) / 2 - 3:.1f}" '
                     f'font-family="sans-serif" font-size="9" fill="#4a5568" '
                     f'text-anchor="middle">{escape(text)}</text>')
    for node in sorted(nodes, key=lambda n: (n.hop, n.subject_id)):
        x, y = at[node.subject_id]
        radius = 14 if node.hop == 0 else 9
        ring = (f' stroke="{COLOURS["listed"]}" stroke-width="4"'
                if node.hop == 0 and node.listed else "")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" '
                     f'fill="{_colour(node)}"{ring}/>')
        parts.append(f'<text x="{x:.1f}" y="{y + radius + 12:.1f}" font-family="sans-serif" '
                     f'font-size="10" fill="#1b2430" text-anchor="middle">'
                     f"{_label(node.name or node.subject_id)}</text>")
    legend = [("root", "evidence.link_chart.root"), ("listed", "evidence.link_chart.listed"),
              ("alerted", "evidence.link_chart.alerted"), ("other", "evidence.link_chart.other")]
    for i, (colour, key) in enumerate(legend):
        y = HEIGHT - 20 - 18 * (len(legend) - 1 - i)
        parts.append(f'<circle cx="28" cy="{y - 4}" r="6" fill="{COLOURS[colour]}"/>')
        parts.append(f'<text x="40" y="{y}" font-family="sans-serif" font-size="11" '
                     f'fill="#1b2430">{escape(translate(key, lang))}</text>')
    parts.append("</svg>")
    return "\n".join(parts).encode("utf-8")
