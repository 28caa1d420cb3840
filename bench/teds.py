"""TEDS (Tree-Edit-Distance-based Similarity, Zhong et al. 2020, the PubTabNet metric) over grid tables.

A table becomes the HTML tree ``table > tbody > tr* > td*`` with ``colspan``/``rowspan`` on every
``td``. Insert/delete cost 1; renaming costs 1 when tag or spans differ, else for two ``td`` the
normalised Levenshtein distance of their texts (0 for TEDS-struct, which ignores content).
TEDS = 1 - distance / max(|T_pred|, |T_gt|). The GT's ``thead``/``tbody`` split is folded into one
``tbody`` on both sides: a worksheet has no header notion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apted import APTED, Config
from rapidfuzz.distance import Levenshtein

from bench.grid import GridTable


@dataclass
class Node:
    """An HTML element of the table tree; ``text`` is only meaningful for ``td``."""

    tag: str
    colspan: int = 1
    rowspan: int = 1
    text: str = ""
    children: list[Node] = field(default_factory=list)

    def size(self) -> int:
        return 1 + sum(child.size() for child in self.children)


def table_tree(table: GridTable, *, structure_only: bool = False) -> Node:
    """The ``table > tbody > tr > td`` tree of a grid table (one ``tr`` per grid row, even if empty)."""
    rows = [
        Node(
            "tr",
            children=[Node("td", c.colspan, c.rowspan, "" if structure_only else c.text) for c in row_cells],
        )
        for row_cells in table.rows()
    ]
    return Node("table", children=[Node("tbody", children=rows)])


class _TedsConfig(Config):
    def rename(self, node1: Node, node2: Node) -> float:
        if node1.tag != node2.tag or node1.colspan != node2.colspan or node1.rowspan != node2.rowspan:
            return 1.0
        if node1.tag == "td" and (node1.text or node2.text):
            return float(Levenshtein.normalized_distance(node1.text, node2.text))
        return 0.0

    def children(self, node: Node) -> list[Node]:
        return node.children


def tree_edit_distance(a: Node, b: Node) -> float:
    return float(APTED(a, b, _TedsConfig()).compute_edit_distance())


def teds(pred: GridTable | None, gt: GridTable, *, structure_only: bool = False) -> float:
    """Similarity in [0, 1] of a predicted table to a GT table; a missing prediction scores 0."""
    if pred is None:
        return 0.0
    a = table_tree(pred, structure_only=structure_only)
    b = table_tree(gt, structure_only=structure_only)
    return max(0.0, 1.0 - tree_edit_distance(a, b) / max(a.size(), b.size()))
