from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from markupsafe import Markup

from web.charts.bars import HBar, Series, horizontal_bars, stacked_bars
from web.charts.line import line_chart
from web.charts.network import MAX_NODES, Counterparty, NetworkText, layout, network
from web.charts.scales import LinearScale, LogScale, TimeScale, short_number
from web.charts.svg import element, truncate
from web.charts.timeline import TimelinePoint, TimelineText, timeline

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
           "Ibrahim & Fils 'SARL'"]


def _parse(svg: Markup) -> Element:
    """The chart as XML: fails on anything that is not well-formed."""
    root: Element = fromstring(str(svg))
    assert root.tag == f"{NS}svg"
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}desc") is not None
    return root


def _with_class(root: Element, name: str) -> list[Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def _texts(root: Element) -> list[str]:
    return [e.text or "" for e in root.iter() if e.tag in (f"{NS}text", f"{NS}title")]


def _assert_escaped(svg: Markup, name: str) -> None:
    text = str(svg)
    assert "<script" not in text
    assert "<img" not in text
    root = _parse(svg)
    assert any(name in t for t in _texts(root)), "the full name is kept in a tooltip"


@pytest.mark.parametrize("name", HOSTILE)
def test_builder_escapes_text_and_attribute_values(name: str) -> None:
    svg = element("svg", element("text", name, data_name=name),
                  xmlns="http://www.w3.org/2000/svg")
    root = fromstring(str(svg))
    node = root.find(f"{NS}text")
    assert node is not None
    assert (node.text, node.get("data-name")) == (name, name)


def test_builder_refuses_names_it_did_not_write() -> None:
    with pytest.raises(ValueError, match="not an SVG name"):
        element("svg onload=alert(1)")
    with pytest.raises(ValueError, match="not an SVG name"):
        element("g", **{"x onmouseover": "1"})


def test_truncate_keeps_short_names_and_marks_cut_ones() -> None:
    assert truncate("Awa Sangaré", 18) == "Awa Sangaré"
    cut = truncate("Coopérative Agro-Pastorale du Liptako", 18)
    assert len(cut) <= 18
    assert cut.endswith("…")


def test_linear_scale_is_monotone_and_covers_the_data() -> None:
    scale = LinearScale.covering([3, 17, 41], 250.0, 10.0)
    positions = [scale(v) for v in range(0, 50, 5)]
    assert positions == sorted(positions, reverse=True)  # y grows downwards
    assert scale.lo <= 0
    assert scale.hi >= 41
    ticks = scale.ticks()
    assert ticks == sorted(ticks)
    assert ticks[0] == scale.lo
    assert ticks[-1] == scale.hi


def test_log_scale_is_monotone_and_gives_powers_of_ten() -> None:
    amounts = [Decimal("4500"), Decimal("250000"), Decimal("12000000")]
    scale = LogScale.covering(amounts, 300.0, 20.0)
    assert (scale.lo, scale.hi) == (1000.0, 100_000_000.0)
    positions = [scale(v) for v in (Decimal(1000), *amounts, Decimal(10 ** 8))]
    assert positions == sorted(positions, reverse=True)
    assert scale.ticks() == [10.0 ** p for p in range(3, 9)]
    # equal ratios give equal distances on a log axis
    assert math.isclose(scale(10_000) - scale(1_000), scale(1_000_000) - scale(100_000))


def test_time_scale_is_monotone_with_midnight_ticks() -> None:
    start = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    days = [start + timedelta(days=d, hours=d) for d in range(0, 60, 7)]
    scale = TimeScale.covering(days, 60.0, 860.0)
    positions = [scale(d) for d in days]
    assert positions == sorted(positions)
    assert positions[0] > 60.0
    assert positions[-1] < 860.0
    ticks = scale.ticks()
    assert 2 <= len(ticks) <= 7
    assert all((t.hour, t.minute) == (0, 0) for t in ticks)


def test_short_numbers() -> None:
    assert [short_number(v) for v in (0, 12.5, 1500, 2_000_000, 3_400_000_000)] == [
        "0", "12.5", "1.5k", "2M", "3.4G"]


def test_stacked_bars_draw_one_segment_per_non_zero_value() -> None:
    weeks = ["2025-W10", "2025-W11", "2025-W12"]
    svg = stacked_bars(weeks, [Series("sanctions", [3, 0, 5]),
                               Series(HOSTILE[0], [1, 2, 0])],
                       title="Alerts per week", desc="by typology", x_label="week",
                       y_label="alerts")
    root = _parse(svg)
    bars = _with_class(root, "bar")
    assert len(bars) == 4
    heights = {b.findtext(f"{NS}title"): float(b.get("height", "0")) for b in bars}
    assert heights["2025-W12 · sanctions: 5"] == pytest.approx(
        5 * heights["2025-W11 · " + HOSTILE[0] + ": 2"] / 2)
    _assert_escaped(svg, HOSTILE[0])


def test_horizontal_bars_one_row_each_scaled_to_the_maximum() -> None:
    rows = [HBar("TF-LIST-01", 75.0, "3 / 4"), HBar(HOSTILE[1], 25.0, "1 / 4"),
            HBar("sample_un", 0.0, "0 / 2")]
    svg = horizontal_bars(rows, title="False-positive rate", desc="per rule",
                          x_label="%", maximum=100.0, fmt=lambda v: f"{v:.0f} %")
    root = _parse(svg)
    widths = [float(b.get("width", "0")) for b in _with_class(root, "bar")]
    assert len(widths) == 3
    assert widths[0] == pytest.approx(3 * widths[1])
    assert any("75 % · 3 / 4" in t for t in _texts(root))
    _assert_escaped(svg, HOSTILE[1])


def test_line_breaks_where_a_week_has_no_value() -> None:
    svg = line_chart(["W1", "W2", "W3", "W4", "W5"], [2.0, 4.5, None, 3.0, 1.0],
                     title="Mean time to close", desc="days", x_label="week", y_label="days")
    root = _parse(svg)
    assert len(_with_class(root, "point")) == 4
    lines = root.findall(f".//{NS}polyline")
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]


def _point(day: int, amount: str, outgoing: bool, highlighted: bool = False,
           label: str = "") -> TimelinePoint:
    return TimelinePoint(datetime(2025, 3, day, 12, tzinfo=UTC), Decimal(amount), outgoing,
                         highlighted, label or f"TX-{day} {amount}")


TIMELINE_TEXT = TimelineText("Transactions", "over time", "date (UTC)", "amount (log)",
                             "in", "out", "this alert")


def test_timeline_marks_in_and_out_and_rings_the_alert() -> None:
    points = [_point(1, "25000", False), _point(3, "-50000", True),
              _point(5, "1000000", True, highlighted=True, label=HOSTILE[0]),
              _point(9, "0", False), _point(12, "12429.59", False, highlighted=True)]
    svg = timeline(points, TIMELINE_TEXT)
    root = _parse(svg)
    assert len(_with_class(root, "in")) == 2  # the zero amount cannot sit on a log axis
    assert len(_with_class(root, "out")) == 2
    assert len(_with_class(root, "highlight")) == 2
    _assert_escaped(svg, HOSTILE[0])
    marks = {m.findtext(f"{NS}title"): m for m in root.iter(f"{NS}g")
             if m.findtext(f"{NS}title")}
    big = marks[HOSTILE[0]].find(f"{NS}rect")
    small = marks["TX-1 25000"].find(f"{NS}circle")
    assert big is not None
    assert small is not None
    assert float(big.get("y", "0")) < float(small.get("cy", "0"))  # larger is higher
    assert float(big.get("x", "0")) > float(small.get("cx", "0"))  # later is further right


def test_timeline_points_on_one_spot_share_a_mark_described_once() -> None:
    """A busy account: 300 transfers of 50 000 within one day share a mark (two if they
    straddle a cell's edge; the tooltip written by ``describe``), while the alert's own
    transfer keeps its ring and a transfer far away keeps its own mark."""
    at = datetime(2025, 3, 10, 9, tzinfo=UTC)
    busy = [TimelinePoint(at + timedelta(minutes=m), Decimal("50000"), False, False, ref=m)
            for m in range(300)]
    own = TimelinePoint(at, Decimal("50000"), False, True, "TX-OWN", ref=300)
    far = TimelinePoint(at + timedelta(days=60), Decimal("9000000"), True, False, "TX-FAR",
                        ref=301)
    described: list[list[int]] = []

    def describe(points: Sequence[TimelinePoint]) -> str:
        described.append([p.ref for p in points])
        return points[0].label if len(points) == 1 else f"{len(points)} transfers"

    root = _parse(timeline([*busy, own, far], TIMELINE_TEXT, describe=describe))
    shared = sorted(len(refs) for refs in described if len(refs) > 1)
    assert sum(shared) == 300
    assert len(shared) <= 2
    assert sorted(refs[0] for refs in described if len(refs) == 1) == [300, 301]
    merged = _with_class(root, "merged")
    assert len(merged) == len(shared)
    assert {m.get("class") for m in merged} == {"point in merged"}
    assert float(merged[0].get("r", "0")) > float(_with_class(root, "in")[-1].get("r", "0"))
    titles = [m.findtext(f"{NS}title") for m in root.iter(f"{NS}g") if m.findtext(f"{NS}title")]
    assert {f"{count} transfers" for count in shared} | {"TX-OWN", "TX-FAR"} <= set(titles)
    assert len(_with_class(root, "highlight")) == 1


def _party(index: int, weight: float, flagged: bool = False, name: str = "") -> Counterparty:
    return Counterparty(name or f"Partie {index:02d}", weight, sends=index % 2 == 0,
                        receives=index % 3 == 0, flagged=flagged,
                        detail=f"{name or index}: {weight}")


NETWORK_TEXT = NetworkText("Counterparties", "money in and out", "+12 more", "alerted",
                           "not alerted")


def test_network_places_heaviest_nearest_and_caps_the_nodes() -> None:
    parties = [_party(i, float(1000 + i * 10)) for i in range(50)]
    placed = layout(parties, 450.0, 300.0, 90.0)
    assert len(placed) == MAX_NODES
    distances = [math.hypot(p.x - 450.0, p.y - 300.0) for p in placed]
    weights = [p.party.weight for p in placed]
    assert weights == sorted(weights, reverse=True)
    assert distances == sorted(distances, key=lambda d: round(d, 6))
    assert [p.radius for p in placed] == sorted((p.radius for p in placed), reverse=True)
    svg = network("Iyad Ag Ghaly", parties, NETWORK_TEXT)
    root = _parse(svg)
    assert len(_with_class(root, "counterparty")) == MAX_NODES
    assert len(_with_class(root, "edge")) == MAX_NODES
    assert [e.text for e in _with_class(root, "more")] == ["+12 more"]
    assert layout(parties, 450.0, 300.0, 90.0) == placed  # deterministic


def test_network_arrows_flagged_nodes_and_hostile_names() -> None:
    parties = [Counterparty(HOSTILE[0], 500.0, sends=True, receives=False, flagged=True,
                            detail=HOSTILE[0]),
               Counterparty(HOSTILE[1], 250.0, sends=False, receives=True, flagged=False,
                            detail=HOSTILE[1]),
               Counterparty("Awa Sangaré", 100.0, sends=True, receives=True, flagged=False,
                            detail="Awa Sangaré")]
    svg = network(HOSTILE[2], parties, NETWORK_TEXT)
    root = _parse(svg)
    edges = _with_class(root, "edge")
    ends = [(e.get("marker-start") is not None, e.get("marker-end") is not None)
            for e in edges]
    assert ends == [(True, False), (False, True), (True, True)]
    widths = [float(e.get("stroke-width", "0")) for e in edges]
    assert widths == sorted(widths, reverse=True)
    assert len(_with_class(root, "flagged")) == 1
    assert not _with_class(root, "more")
    for name in HOSTILE:
        _assert_escaped(svg, name)
    labels = [e.text for e in root.iter(f"{NS}text")]
    assert truncate(HOSTILE[0], 18) in labels
