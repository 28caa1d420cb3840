"""Columns inside a ruled column: the text's own column gaps where the rules are coarser than the text.

A grid's rules do not always bound single cells: a frame drawn around a whole table (a one-column "grid"),
heavy rules between column groups and none inside them, a vertical rule lost in a curled photo. Each ruled
column then holds a small borderless table, and reading it as one cell per ruled column loses every column
inside. Such a column is split where its text leaves a gap the way a borderless table's columns do
(:mod:`.columns`), but only where many lines show that gap as separate phrases on both
sides: a wrapped cell or a multi-word phrase never does, so real grids keep their cells whole.

The cuts are then boundaries drawn by the text; a phrase that runs across them (a group label over its
sub-columns) becomes a cell spanning the sub-columns it is centred over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .borderless import _fit_span
from .columns import column_extents, find_columns, spans_columns, word_col, words_by_col
from .headerspans import first_full_row, label_span, straddles
from .textlines import Line, Phrase, WordLike, build_lines
from .valueedge import value_edge_cut

# Evidence for a cut inside a ruled column: lines of that column with a separate phrase on each side of it,
# at least this many ...
MIN_APART = 3
# ... and at least this share of the column's lines that have text on both sides of the cut (the others
# run a phrase across it: group labels, a long note); a column whose cells hold one value each has none.
APART_SHARE = 0.6
# ... and at least this share of all the column's lines (a second value in a few rows of a text column, a
# footnote mark now and then, is no column).
APART_OF_ALL = 0.4


@dataclass(frozen=True)
class _Moved:
    """A word as seen straightened: shifted along x by its column's left rule's offset at its height."""

    text: str
    conf: float
    bbox: tuple[int, int, int, int]


def split_ruled_columns(
    columns: Sequence[Sequence[tuple[WordLike, float]]],
    spans: Sequence[tuple[float, float]],
    phrase_gap: float,
    min_gap: float,
) -> list[list[float]]:
    """Interior cut positions (at the table's centre) per ruled column.

    ``columns[k]``: the words whose centre lies in ruled column k, each with the shift that moves it to the
    column's position at the table's centre (slanted rules); ``spans[k]``: that column's left and right rule
    at the centre."""
    out: list[list[float]] = []
    for words, (x0, x1) in zip(columns, spans, strict=True):
        out.append(_cuts(_moved(words), x0, x1, phrase_gap, min_gap))
    return out


def _moved(words: Sequence[tuple[WordLike, float]]) -> list[_Moved]:
    out: list[_Moved] = []
    for w, dx in words:
        a, b, c, d = w.bbox
        out.append(_Moved(w.text, w.conf, (round(a + dx), b, round(c + dx), d)))
    return out


def _cuts(words: list[_Moved], x0: float, x1: float, phrase_gap: float, min_gap: float) -> list[float]:
    if len(words) < 2 * MIN_APART:
        return []
    lines = build_lines(words, phrase_gap)
    if sum(1 for ln in lines if len(ln.phrases) >= 2) < MIN_APART:
        return []
    edges = find_columns(lines, words, min_gap)
    cuts = [e for e in edges[1:-1] if x0 + 0.5 * min_gap < e < x1 - 0.5 * min_gap]
    kept = [c for c in cuts if _supported(lines, c)]
    if not kept:  # labels on the left, values flush right: a ragged strip between them, no column gap
        edge = value_edge_cut(lines, phrase_gap)
        if edge is not None and x0 + 0.5 * min_gap < edge < x1 - 0.5 * min_gap and _supported(lines, edge):
            kept = [edge]
    return kept


def _supported(lines: Sequence[Line], cut: float) -> bool:
    """Many lines hold separate phrases on the two sides of ``cut``; few run one across it."""
    apart = across = 0
    for ln in lines:
        left = any(p.x1 <= cut for p in ln.phrases)
        right = any(p.x0 >= cut for p in ln.phrases)
        through = any(p.x0 < cut < p.x1 for p in ln.phrases)
        if left and right:
            apart += 1
        elif through:
            across += 1
    return (
        apart >= MIN_APART and apart >= APART_SHARE * (apart + across) and apart >= APART_OF_ALL * len(lines)
    )


def row_spans(
    rows: Sequence[Sequence[tuple[WordLike, float]]],
    edges: Sequence[float],
    phrase_gap: float,
    whole: bool,
    labels: set[tuple[int, int]],
) -> list[list[tuple[int, int]]]:
    """Per row of a split ruled column, the sub-column ranges (first, last) its spanning cells cover.

    ``rows[r]``: row r's words in the column with their straightening shifts; ``edges``: the column's rules
    and cuts at the centre. Rows above the first one that fills (about) every sub-column are its header:
    there a phrase running across a cut spans the sub-columns it is centred over (a group label over
    Q1..Q4), a label over the empty neighbours whose sub-labels fill the header row below spans those it is
    centred over or starts with, and where the column holds a single phrase and is one of several ruled
    columns (``whole``) it spans the whole ruled column. Below, a phrase spans only where it is its row's
    only text in the column. ``labels``: (row, sub-column) positions of header labels that span two rows,
    which do not make a row of the body."""
    moved = [_moved(ws) for ws in rows]
    by_cols = [words_by_col(ws, edges) for ws in moved]
    body = first_full_row(by_cols, labels, len(edges) - 1)
    extents = column_extents([w for ws in moved[body:] for w in ws], edges)
    out: list[list[tuple[int, int]]] = []
    for r, ws in enumerate(moved):
        below = by_cols[r + 1] if r + 1 < body else None
        held = _of_row(labels, r)  # a label spanning from the row above or below holds its column here too
        out.append(_spans(ws, edges, extents, r < body, whole, phrase_gap, below, held))
    return out


def _of_row(cells: set[tuple[int, int]], r: int) -> set[int]:
    return {c for rr, c in cells if rr == r}


def _spans(
    words: Sequence[WordLike],
    edges: Sequence[float],
    extents: Sequence[tuple[float, float]],
    header: bool,
    whole: bool,
    phrase_gap: float,
    below: dict[int, list[WordLike]] | None,
    held: set[int],
) -> list[tuple[int, int]]:
    """Spans of one row; ``below``: the next row's words by sub-column where it is a header row too;
    ``held``: sub-columns a cell of another row spans into this one."""
    if not words:
        return []
    phrases = [p for ln in build_lines(words, phrase_gap) for p in ln.phrases]
    alone = len(phrases) == 1
    if header and alone and whole:
        return [(0, len(edges) - 2)]
    by_col = words_by_col(words, edges)
    out: list[tuple[int, int]] = []
    taken: set[int] = set()
    for p in phrases:
        if (header or alone) and _runs_across(p, edges):
            a, b = _fit_span(p, by_col, list(extents))
            own = {id(w) for w in p.words}
            if b > a and all(id(w) in own for k in range(a, b + 1) for w in by_col.get(k, [])):
                out.append((a, b))
                taken.update(range(a, b + 1))
        elif below is not None:  # a group label over the sub-labels of the header row below
            occupied = {**{c: [] for c in held}, **by_col}
            cols = {word_col(w, edges) for w in p.words}
            span = label_span(p, cols, occupied, below, extents, taken)
            if span is not None:
                out.append(span)
                taken.update(range(span[0], span[1] + 1))
    return out


def _runs_across(p: Phrase, edges: Sequence[float]) -> bool:
    """A phrase whose words sit in two sub-columns, or whose one word straddles a cut well into both."""
    return spans_columns(p, edges) or straddles(p, edges[1:-1])
