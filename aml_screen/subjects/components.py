"""Connected components of the link graph, and the links an investigator's split removes.

``components`` is min-label propagation over the edge arrays: each node takes the smallest
label among its neighbours' (a gather and a scatter-min over the edges, numpy indexing by
node number, no join), then every label jumps to its own label's label until that is
stable (pointer jumping), and again until nothing changes. The number of rounds grows with
the logarithm of the longest path, which star-shaped evidence keeps short: no Python loop
over nodes or edges, and no scipy.

``kept_apart`` handles the few components an investigator's "different" decision cuts:
only their links are replayed through a union-find in Python, strongest evidence first,
refusing any union that would put the two sides of a decision together. The refused links
are the ones that made the wrong merge; the rest of the graph is untouched.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from aml_screen.subjects.links import STRENGTH


def components(node_count: int, edges: pl.DataFrame) -> pl.Series:
    """The component label of each node ``0..node_count-1``: the smallest node in it."""
    a = edges.get_column("a").to_numpy().astype(np.int64)
    b = edges.get_column("b").to_numpy().astype(np.int64)
    ends, others = np.concatenate([a, b]), np.concatenate([b, a])
    labels = np.arange(node_count, dtype=np.int64)
    while True:
        moved = labels.copy()
        np.minimum.at(moved, ends, labels[others])
        while True:
            jumped = moved[moved]
            if np.array_equal(jumped, moved):
                break
            moved = jumped
        if np.array_equal(moved, labels):
            return pl.Series("label", labels, dtype=pl.UInt32)
        labels = moved


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
    # Each root keeps the nodes its set must not meet: a union looks at the two sets' own
    # partners only, not at every pair.
    partners: dict[int, set[int]] = {}
    for a, b in apart.select("a", "b").iter_rows():
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    parent: dict[int, int] = {}
    refused: list[int] = []
    for edge, a, b in inside.select("edge", "a", "b").iter_rows():
        ra, rb = _find(parent, a), _find(parent, b)
        if ra == rb:
            continue
        if any(_find(parent, x) == rb for x in partners.get(ra, ())) or any(
                _find(parent, x) == ra for x in partners.get(rb, ())):
            refused.append(edge)
            continue
        root, child = min(ra, rb), max(ra, rb)
        parent[child] = root
        if child in partners:
            partners.setdefault(root, set()).update(partners.pop(child))
    nodes = label_of.filter(pl.col("label").is_in(cut_labels)).get_column("node").to_list()
    members: dict[int, list[int]] = {}
    for node in nodes:
        members.setdefault(_find(parent, node), []).append(node)
    relabel = {node: min(group) for group in members.values() for node in group}
    new_labels = label_of.select(pl.col("node").replace_strict(
        relabel, default=pl.col("label"), return_dtype=pl.UInt32)).to_series().alias("label")
    kept = edges.with_row_index("edge").filter(~pl.col("edge").is_in(refused)).drop("edge")
    return new_labels, kept
