"""Connected components of the link graph, and the links an investigator's split removes.

``components`` is min-label propagation over the edge list in polars: each node takes the
smallest label among its neighbours', then every label jumps to its own label's label
(pointer jumping), until nothing changes. Each round is two joins over the edges, and the
number of rounds grows with the logarithm of the longest path, which star-shaped evidence
keeps short: no Python loop over nodes or edges, and no scipy.

``kept_apart`` handles the few components an investigator's "different" decision cuts:
only their links are replayed through a union-find in Python, strongest evidence first,
refusing any union that would put the two sides of a decision together. The refused links
are the ones that made the wrong merge; the rest of the graph is untouched.
"""

from __future__ import annotations

import polars as pl

from aml_screen.subjects.links import STRENGTH


def components(node_count: int, edges: pl.DataFrame) -> pl.Series:
    """The component label of each node ``0..node_count-1``: the smallest node in it."""
    labels = pl.DataFrame({"node": pl.int_range(node_count, dtype=pl.UInt32, eager=True)}
                          ).with_columns(label=pl.col("node"))
    both = pl.concat([edges.select("a", "b"), edges.select(a="b", b="a")]).unique()
    while True:
        nearest = both.join(labels, left_on="b", right_on="node").group_by("a").agg(
            nearest=pl.col("label").min())
        moved = labels.join(nearest, left_on="node", right_on="a", how="left").select(
            "node", label=pl.min_horizontal("label", "nearest"))
        jumped = moved.join(moved.rename({"node": "label", "label": "root"}), on="label",
                            how="left").select("node", label=pl.min_horizontal("label", "root"))
        if jumped.get_column("label").equals(labels.get_column("label")):
            return labels.get_column("label")
        labels = jumped


def _find(parent: dict[int, int], node: int) -> int:
    while parent.setdefault(node, node) != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def kept_apart(labels: pl.Series, edges: pl.DataFrame, apart: pl.DataFrame
               ) -> tuple[pl.Series, pl.DataFrame]:
    """Labels and edges after cutting the components in which a pair of ``apart``
    (``a``, ``b``: nodes that must not be one subject) ended up together."""
    label_of = labels.to_frame("label").with_row_index("node")
    broken = (apart.join(label_of, left_on="a", right_on="node")
              .join(label_of, left_on="b", right_on="node", suffix="_b")
              .filter(pl.col("label") == pl.col("label_b")))
    if broken.is_empty():
        return labels, edges
    cut_labels = broken.get_column("label").unique().implode()
    inside = (edges.with_row_index("edge").join(label_of, left_on="a", right_on="node")
              .filter(pl.col("label").is_in(cut_labels))
              .with_columns(strength=pl.col("code").replace_strict(STRENGTH))
              .sort("strength", "edge"))
    pairs = [(int(a), int(b)) for a, b in apart.select("a", "b").iter_rows()]
    parent: dict[int, int] = {}
    refused: list[int] = []
    for edge, a, b in inside.select("edge", "a", "b").iter_rows():
        ra, rb = _find(parent, a), _find(parent, b)
        if ra == rb:
            continue
        joined = {ra, rb}
        if any({_find(parent, x), _find(parent, y)} == joined for x, y in pairs):
            refused.append(edge)
            continue
        parent[max(ra, rb)] = min(ra, rb)
    nodes = label_of.filter(pl.col("label").is_in(cut_labels)).get_column("node").to_list()
    members: dict[int, list[int]] = {}
    for node in nodes:
        members.setdefault(_find(parent, node), []).append(node)
    relabel = {node: min(group) for group in members.values() for node in group}
    new_labels = label_of.select(pl.col("node").replace_strict(
        relabel, default=pl.col("label"), return_dtype=pl.UInt32)).to_series().alias("label")
    kept = edges.with_row_index("edge").filter(~pl.col("edge").is_in(refused)).drop("edge")
    return new_labels, kept
