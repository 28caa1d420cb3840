"""Tables ruled only between columns: a row of long vertical rules side by side, no horizontal rule across
them (no outer box, or its top edge lost in a dark header band).

Such rules form no network of crossing rules (:func:`img2xlsx.tables.cues.grid_regions` wants two of each
direction), so the table used to be read from its whitespace alone; yet where cells are set tight against the
rules there is little whitespace, and columns ran together. The rules are the surest column boundaries there
are: several long vertical rules sharing one height, with text between them, outline a grid whose rows are
unruled. The region is handed on as a grid, closed by its rules' ends (a rule crossing them is kept); its rows
come from the text (:mod:`.textrows`). Rules starting right under a shaded header band run up through it (its
fill hid them). A rule lost over a few rows (a highlighted cell's fill, a crease) while its neighbours run on
is bridged, so its pieces still share the table's height (:func:`_bridged`). Where the text runs on past the
outermost rules on many lines (rules between column groups only, or only some of a crumpled page's rules
found), the rules do not outline the table, and it is left to its text as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from .lines import Band, HLine, VLine
from .region import Region, overlap
from .sectionbreaks import SECTION_GAP, joined_at_sections, label_row
from .textlines import WordLike, build_lines
from .unionfind import UnionFind

# A column rule is at least this many text heights long (a header and two rows of cells).
MIN_RULE = 3.0
# Two rules of one table share this much of the longer one's height.
SHARED_HEIGHT = 0.7
# Pieces of one rule may lie this many text heights apart.
BREAK = 1.5
# ... or further apart where a rule of the same table runs on through the gap (see :func:`_bridged`), when
# the pieces hold at least this share of the joined rule's height.
BRIDGED_SHARE = 0.5
# ... and each piece is this many text heights long at least: a tick box's or a glyph's edges are shorter.
BRIDGED_PIECE = 2.0
# ... and the gap this many text heights at most: a fill or a crease hides a few rows' length of a rule, while
# a photographed page's and its background's edges run on beside a receipt for half its height.
BRIDGED_GAP = 8.0
# A shaded header's fill hides the column rules inside it (they are dropped as glyph edges): the rules
# below start this many text heights under the band at most.
UNDER_BAND = 2.0
# ... and the band covers this share of the rules' width.
BAND_WIDTH = 0.85
# A column of text whose nearest word stands this many text heights, or this share of a ruled column's mean
# width, or less past an outer rule, and has words on this share of the lines, leaves the side open.
OPEN_REACH = 2.0
OPEN_COLUMN = 0.5
OPEN_SHARE = 0.3
# At least this many distinct rule positions: the two sides of a single column are a box or a sidebar.
MIN_RULES = 3
# Ruled columns holding text lines, at least (a column of one word between two rules is a mark's frame).
MIN_FILLED = 2
# Text lines with words in two ruled columns or more, at least (a header and two rows): a row or two of
# text between strokes (a photo's texture, a form's boxes) is no table.
MIN_ROWS = 3


def column_rule_regions(
    vlines: Sequence[VLine],
    hlines: Sequence[HLine],
    bands: Sequence[Band],
    words: Sequence[WordLike],
    h: float,
    tol: float,
) -> list[Region]:
    """Regions outlined by rows of long vertical rules of about the same height (see the module)."""
    rules = [
        r
        for r in _bridged(joined_at_sections(_collinear(vlines, h, tol), words, h, tol), words, h, tol)
        if _extent(r)[1] - _extent(r)[0] >= MIN_RULE * h
    ]
    if len(rules) < MIN_RULES:
        return []
    # one table's rules run its whole height: a page border or a rule of a taller table beside does not
    # join the tables stacked along it
    sets = UnionFind(len(rules))
    for i, j in itertools.combinations(range(len(rules)), 2):
        (a0, a1), (b0, b1) = _extent(rules[i]), _extent(rules[j])
        if overlap(a0, a1, b0, b1) >= SHARED_HEIGHT * max(a1 - a0, b1 - b0):
            sets.union(i, j)
    groups: dict[int, list[list[VLine]]] = {}
    for i, r in enumerate(rules):
        groups.setdefault(sets.find(i), []).append(r)
    out: list[Region] = []
    for group in groups.values():
        for part in _split_at_empty(_positions(group, tol), words):
            region = _region(*_under_band(part, bands, words, h), hlines, words, h, tol)
            if region is not None:
                out.append(region)
    return out


def _collinear(vlines: Sequence[VLine], h: float, tol: float) -> list[list[VLine]]:
    """Pieces of one rule broken by a crease, a stamp or a fold (same abscissa, a short gap apart)."""
    out: list[list[VLine]] = []
    for v in sorted(vlines, key=lambda v: v.y0):
        home = next(
            (
                r
                for r in out
                if abs(r[-1].x_at(v.y0) - v.x_at(v.y0)) <= tol and v.y0 - _extent(r)[1] <= BREAK * h
            ),
            None,
        )
        if home is None:
            out.append([v])
        else:
            home.append(v)
    return out


def _bridged(rules: list[list[VLine]], words: Sequence[WordLike], h: float, tol: float) -> list[list[VLine]]:
    """Pieces of one rule a longer gap apart, joined where another rule runs on through the gap and the
    table's rows go on in it: a highlighted cell's fill, a crease or a stamp hid this rule over a few rows
    while its neighbours go on (left apart, the pieces were too short to share the table's height, and the
    rules kept made a table that its text ran past). The neighbour shares the joined rule's height once its
    own pieces are joined too: a crease running aslant breaks every rule of a table, each at another height.
    The gap is filled with a piece of rule, so the grid parts those rows too. A rule stopping at a section
    label (a line left of it only, see :func:`_rows_go_on`) is not bridged; nor are two tables stacked on one
    column layout, with no rule running from one to the other and a title between them; nor streaks with no
    text beside them, tick boxes' edges (short pieces) or a photographed page's edges (a long gap)."""
    out = sorted(rules, key=lambda r: _extent(r)[0])
    joined = True
    while joined:
        joined = False
        for a, b in itertools.permutations(out, 2):
            (a0, a1), (b0, b1) = _extent(a), _extent(b)
            top = max(a, key=lambda v: v.y1)
            bottom = min(b, key=lambda v: v.y0)
            if b0 <= a1 or abs(top.x_at(a1) - bottom.x_at(b0)) > tol:
                continue
            if b0 - a1 > BRIDGED_GAP * h or min(a1 - a0, b1 - b0) < BRIDGED_PIECE * h:
                continue
            if (a1 - a0) + (b1 - b0) < BRIDGED_SHARE * (b1 - a0):
                continue
            through = [
                r
                for r in out
                if r is not a and r is not b and _runs_through(r, out, top, a0, a1, b0, b1, tol)
            ]
            # the text across every rule beside the joined one, through the gap or not
            xs = [r[0].x_at(a1) for r in out if overlap(*_extent(r), a0, b1) > 0]
            if not _beside_text(through, words, top.x_at(a1), a1, b0) or not _rows_go_on(
                words, top.x_at(a1), min(xs), a1, max(xs), b0, h
            ):
                continue
            x = round((top.x_at(a1) + bottom.x_at(b0)) / 2)
            a.extend([VLine(a1, b0, x, min(top.thickness, bottom.thickness)), *b])
            out.remove(b)
            joined = True
            break
    return out


def _runs_through(
    rule: list[VLine], rules: list[list[VLine]], piece: VLine, a0: int, a1: int, b0: int, b1: int, tol: float
) -> bool:
    """Whether ``rule`` (at another abscissa) covers the gap a1..b0 and, with the pieces in line with it
    (``rules``), shares the height a0..b1."""
    r0, r1 = _extent(rule)
    x = rule[0].x_at(a1)
    if abs(x - piece.x_at(a1)) <= tol or r0 > a1 + tol or r1 < b0 - tol:
        return False
    # its own pieces above and below, joined or not yet: the height the rule would have
    line = [_extent(r) for r in rules if abs(r[0].x_at(a1) - x) <= tol]
    lo = min(r0, *(e[0] for e in line if e[1] >= r0 - (b1 - a0)))
    hi = max(r1, *(e[1] for e in line if e[0] <= r1 + (b1 - a0)))
    return overlap(lo, hi, a0, b1) >= SHARED_HEIGHT * max(hi - lo, b1 - a0)


def _beside_text(through: list[list[VLine]], words: Sequence[WordLike], x: float, y0: int, y1: int) -> bool:
    """Whether the gap holds text between the rule at ``x`` and the nearest rule running through it on one
    side: a column of the table (streaks in a photo's grainy desk run on beside each other, with no text
    between them)."""
    xs = [r[0].x_at((y0 + y1) / 2) for r in through]
    sides = [max((o for o in xs if o < x), default=None), min((o for o in xs if o > x), default=None)]
    return any(
        o is not None
        and any(
            min(o, x) < (w.bbox[0] + w.bbox[2]) / 2 < max(o, x) and y0 < (w.bbox[1] + w.bbox[3]) / 2 < y1
            for w in words
        )
        for o in sides
    )


def _rows_go_on(
    words: Sequence[WordLike], x: float, x0: float, y0: float, x1: float, y1: float, h: float
) -> bool:
    """Whether the table's rows go on across the rule at ``x`` in the box: a line of several phrases (a row
    of cells, not a title) lies in it, and no line holds words left of the rule only while others reach
    past it (a section label heading the rows below, which the rules stop at; a wrapped cell's lines
    further right are no such label)."""
    inside = [
        w for w in words if x0 < (w.bbox[0] + w.bbox[2]) / 2 < x1 and y0 < (w.bbox[1] + w.bbox[3]) / 2 < y1
    ]
    lines = build_lines(inside, h)
    right = any(w.bbox[2] > x for w in inside)
    label = any(all(w.bbox[2] <= x for w in ln.words) for ln in lines)
    return any(len(ln.phrases) >= 2 for ln in lines) and not (right and label)


def _extent(rule: list[VLine]) -> tuple[int, int]:
    return min(v.y0 for v in rule), max(v.y1 for v in rule)


def _positions(group: list[list[VLine]], tol: float) -> list[list[VLine]]:
    """The group's rules by abscissa: a rule found twice (both edges of a thick one) is one place."""
    out: list[list[VLine]] = []
    for r in sorted(group, key=lambda r: r[0].x):
        if out and r[0].x - out[-1][-1].x <= tol:
            out[-1].extend(r)
        else:
            out.append(list(r))
    return out


def _inside(w: WordLike, a: list[VLine], b: list[VLine]) -> bool:
    """Whether a word's centre lies between two rule positions, within their height."""
    cx = (w.bbox[0] + w.bbox[2]) / 2
    cy = (w.bbox[1] + w.bbox[3]) / 2
    y0 = min(v.y0 for v in a + b)
    y1 = max(v.y1 for v in a + b)
    xa = sum(v.x_at(cy) for v in a) / len(a)
    xb = sum(v.x_at(cy) for v in b) / len(b)
    return xa < cx < xb and y0 <= cy <= y1


def _split_at_empty(places: list[list[VLine]], words: Sequence[WordLike]) -> list[list[list[VLine]]]:
    """Rule positions cut where the space between two of them holds no word: two tables side by side, each
    closed by its own outer rules, leave an empty margin between them."""
    parts: list[list[list[VLine]]] = [[places[0]]] if places else []
    for a, b in itertools.pairwise(places):
        if any(_inside(w, a, b) for w in words):
            parts[-1].append(b)
        else:
            parts.append([b])
    return parts


def _under_band(
    places: list[list[VLine]], bands: Sequence[Band], words: Sequence[WordLike], h: float
) -> tuple[list[list[VLine]], Band | None]:
    """The rules run up through a shaded header band they start under (its fill hid them there), as
    :func:`img2xlsx.tables.joins.join_header_to_grid` frames a grid's header row. Rules starting under a
    section label right below the band (they stop at every section label, see
    :mod:`.sectionbreaks`) get a piece through the band only: the label's row stays open."""
    if len(places) < 2:
        return places, None
    x0 = min(v.x for v in places[0])
    x1 = max(v.x for v in places[-1])
    top = float(np.median([min(v.y0 for v in p) for p in places]))  # the outer rules may frame the band
    xs = [float(np.median([v.x for v in p])) for p in places]

    def fits(b: Band) -> bool:
        if not _wide(b, x0, x1) or top - b.y1 < -0.5 * h:
            return False
        return top - b.y1 <= UNDER_BAND * h or (
            top - b.y1 <= SECTION_GAP * h and label_row(words, xs, b.y1, top, h)
        )

    band = max((b for b in bands if fits(b)), key=lambda b: b.y1, default=None)
    if band is None:
        return places, None
    # a dark fill is often found in pieces one above the other, split along its light text
    y0 = band.y0
    while above := next(
        (b for b in bands if 0 <= y0 - b.y1 <= 0.5 * h and b.y0 < y0 and _wide(b, x0, x1)), None
    ):
        y0 = above.y0
    band = replace(band, y0=y0)
    out: list[list[VLine]] = []
    for p in places:
        first = min(p, key=lambda v: v.y0)
        if first.y0 - band.y1 <= UNDER_BAND * h:
            p = [replace(first, y0=min(first.y0, band.y0)) if v is first else v for v in p]
        elif first.y0 - band.y1 <= SECTION_GAP * h:
            p = [replace(first, y0=band.y0, y1=band.y1, slope=0.0), *p]
        out.append(p)
    return out, band


def _open_side(words: Sequence[WordLike], x0: int, y0: int, x1: int, y1: int, reach: float) -> bool:
    """The table's text runs on past its outermost rule on many of its lines: the rules are those between
    column groups, or only some of a table's rules were found (a crumpled or curled page), and they do not
    outline the table; it is left to its text. Past the rule the text is taken by columns: a column whose
    nearest word comes within ``reach`` of the rule runs on along the rule, and every line with a word in it
    counts (a column of left-aligned row labels ends far from the rule on most lines, near it on the longest
    label only); a column set further off is a table beside."""
    rows = [w for w in words if y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= y1]
    inside = [w for w in rows if x0 < (w.bbox[0] + w.bbox[2]) / 2 < x1]
    lines = build_lines(inside, float(np.median([w.bbox[3] - w.bbox[1] for w in inside])) if inside else 1.0)
    if not lines:
        return True
    left = [w for w in rows if (w.bbox[0] + w.bbox[2]) / 2 < x0]
    right = [w for w in rows if (w.bbox[0] + w.bbox[2]) / 2 > x1]
    beyond = _adjacent_column(left, lambda w: x0 - w.bbox[2], reach) + _adjacent_column(
        right, lambda w: w.bbox[0] - x1, reach
    )
    on_lines = sum(1 for ln in lines if any(ln.y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= ln.y1 for w in beyond))
    return on_lines >= OPEN_SHARE * len(lines)


def _adjacent_column(
    side: Sequence[WordLike], distance: Callable[[WordLike], float], reach: float
) -> list[WordLike]:
    """The words of the column next to an outer rule on one side (``distance``: a word's gap to the rule):
    starting from the word nearest the rule, when within ``reach``, every word whose span overlaps the
    column's span so far (words of one column overlap, the next column stands a gap apart)."""
    near = [w for w in side if distance(w) <= reach]
    if not near:
        return []
    seed = min(near, key=distance)
    c0, c1 = seed.bbox[0], seed.bbox[2]
    column = [seed]
    rest = [w for w in side if w is not seed]
    grown = True
    while grown:
        grown = False
        for w in list(rest):
            if overlap(w.bbox[0], w.bbox[2], c0, c1) > 0:
                column.append(w)
                rest.remove(w)
                c0, c1 = min(c0, w.bbox[0]), max(c1, w.bbox[2])
                grown = True
    return column


def _rows_across(places: list[list[VLine]], words: Sequence[WordLike]) -> int:
    """How many text lines between the rules have words in at least two of the ruled columns."""
    cols = list(itertools.pairwise(places))
    inside = [(w, k) for w in words for k, (a, b) in enumerate(cols) if _inside(w, a, b)]
    if not inside:
        return 0
    height = float(np.median([w.bbox[3] - w.bbox[1] for w, _ in inside]))
    col_of = {id(w): k for w, k in inside}
    lines = build_lines([w for w, _ in inside], height)
    return sum(1 for ln in lines if len({col_of[id(w)] for w in ln.words}) >= 2)


def _wide(b: Band, x0: float, x1: float) -> bool:
    return overlap(b.x0, b.x1, x0, x1) >= BAND_WIDTH * (x1 - x0)


def _region(
    places: list[list[VLine]],
    band: Band | None,
    hlines: Sequence[HLine],
    words: Sequence[WordLike],
    h: float,
    tol: float,
) -> Region | None:
    if len(places) < MIN_RULES:
        return None
    filled = sum(1 for a, b in itertools.pairwise(places) if any(_inside(w, a, b) for w in words))
    if filled < MIN_FILLED or _rows_across(places, words) < MIN_ROWS:
        return None
    vs = [v for p in places for v in p]
    x0 = min(v.x for v in places[0])
    x1 = max(v.x for v in places[-1])
    y0 = min(v.y0 for v in vs)
    y1 = max(v.y1 for v in vs)
    reach = max(OPEN_REACH * h, OPEN_COLUMN * (x1 - x0) / (len(places) - 1))
    if _open_side(words, x0, y0, x1, y1, reach):
        return None
    width = x1 - x0
    # rules across the region (a box's bottom edge, a total rule) are its own; its ends are closed by the
    # rules' ends where no such rule lies
    across = [s for s in hlines if y0 - tol <= s.y <= y1 + tol and overlap(s.x0, s.x1, x0, x1) >= 0.5 * width]
    hs = list(across)
    if band is not None and not any(abs(s.y - band.y1) <= tol for s in across):
        hs.append(HLine(x0, x1, band.y1))  # the header band's lower edge ends the header
    if not any(abs(s.y - y0) <= tol for s in across):
        hs.append(HLine(x0, x1, y0))
    if not any(abs(s.y - y1) <= tol for s in across):
        hs.append(HLine(x0, x1, y1))
    return Region("grid", x0, y0, x1, y1, hlines=hs, vlines=vs)
