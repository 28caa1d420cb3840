"""TEDS / TEDS-struct on hand-built tables with distances worked out by hand."""

from __future__ import annotations

import html.parser
import json

import pytest
from bench_helpers import BENCH, needs_bench, table

from bench.grid import tables_from_gt
from bench.teds import Node, table_tree, teds


def test_identical_tables_score_one() -> None:
    t = table([["Item", "Qty"], ["Apples", "3"], ["Pears", "12"]])
    assert teds(t, t) == 1.0
    assert teds(t, t, structure_only=True) == 1.0


def test_one_character_edit_costs_its_normalised_distance() -> None:
    gt = table([["ab", "cd"], ["ef", "gh"]])  # table, tbody, 2 tr, 4 td = 8 nodes
    pred = table([["ax", "cd"], ["ef", "gh"]])  # rename "ab"→"ax": 1/2
    assert teds(pred, gt) == pytest.approx(1 - 0.5 / 8)
    assert teds(pred, gt, structure_only=True) == 1.0


def test_missing_cell_costs_a_deletion_plus_its_text() -> None:
    gt = table([["ab", "cd"], ["ef", "gh"]])
    pred = table([["ab", "cd"], ["ef"]])  # one td inserted: cost 1, sizes 8 vs 7
    assert teds(pred, gt) == pytest.approx(1 - 1 / 8)


def test_spans_matter_for_structure() -> None:
    gt = table([["Head", None], ["b", "c"]], spans={(0, 0): (1, 2)})  # 7 nodes
    split = table([["Head", ""], ["b", "c"]])  # 8 nodes: rename span (1) + insert td (1)
    assert teds(split, gt, structure_only=True) == pytest.approx(1 - 2 / 8)
    assert teds(split, gt) == pytest.approx(0.75)  # right text in a wrong-span cell still costs 1
    assert teds(gt, gt, structure_only=True) == 1.0


def test_rowspan_differs_from_colspan() -> None:
    a = table([["x", "y"], [None, "z"]], spans={(0, 0): (2, 1)})
    b = table([["x", None], ["y", "z"]], spans={(0, 0): (1, 2)})
    assert teds(a, b, structure_only=True) < 1.0


def test_missing_prediction_scores_zero() -> None:
    assert teds(None, table([["a"]])) == 0.0


def test_completely_different_texts_keep_structure_credit() -> None:
    gt = table([["aaaa", "bbbb"]])
    pred = table([["zzzz", "yyyy"]])
    assert teds(pred, gt) == pytest.approx(1 - 2 / 5)  # table, tbody, tr, 2 td
    assert teds(pred, gt, structure_only=True) == 1.0


class _HtmlTree(html.parser.HTMLParser):
    """The GT HTML as a Node tree, thead/tbody folded into one tbody (as bench.teds documents)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Node] = []
        self.stack: list[Node] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            node = Node("table", children=[Node("tbody")])
            self.tables.append(node)
            self.stack = [node, node.children[0]]
        elif tag == "tr":
            node = Node("tr")
            self.stack[1].children.append(node)
            self.stack = [*self.stack[:2], node]
        elif tag in ("td", "th"):
            node = Node("td", int(a.get("colspan") or 1), int(a.get("rowspan") or 1))
            self.stack[2].children.append(node)
            self.stack = [*self.stack[:3], node]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.stack = self.stack[:3]

    def handle_data(self, data: str) -> None:
        if len(self.stack) == 4:
            self.stack[3].text += data


def _shape(n: Node) -> tuple[object, ...]:
    return (n.tag, n.colspan, n.rowspan, " ".join(n.text.split()), tuple(_shape(c) for c in n.children))


@needs_bench
@pytest.mark.parametrize("name", ["synthetic/dev_0000", "synthetic/dev_0003", "real/PMC5198506_004_00"])
def test_tree_from_gt_json_matches_gt_html(name: str) -> None:
    doc = json.loads((BENCH / f"{name}.json").read_text())
    parser = _HtmlTree()
    parser.feed((BENCH / f"{name}.html").read_text())
    ours = [table_tree(t) for t in tables_from_gt(doc)]
    assert [_shape(t) for t in ours] == [_shape(t) for t in parser.tables]
