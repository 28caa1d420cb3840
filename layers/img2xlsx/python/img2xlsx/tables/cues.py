"""What is drawn on the page (rules, shaded bands) and the table regions it outlines: networks of crossing
rules (grids), stacks of shaded bands (zebra tables); stacks of long rules (ruled tables) are
:mod:`.rulestacks`'. Text decides only where a stack ends.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .lines import (
    DARK_BAND,
    Band,
    HLine,
    Rulings,
    VLine,
    detect_bands,
    detect_rulings,
    frame_dark_bands,
)
from .region import Region, overlap
from .textlines import WordLike
from .unionfind import UnionFind


def _area(bands: list[Band]) -> int:
    return sum((b.x1 - b.x0) * (b.y1 - b.y0) for b in bands)


def drawn_cues(gray: np.ndarray, shades: np.ndarray | None, text_h: float) -> tuple[Rulings, list[Band]]:
    """The page's rules and shaded bands; ``shades``: the same page before illumination flattening.

    Shades are looked for on both the flattened and the unflattened page: flattening lightens fills next
    to text (clean renders lose faint stripes), while on photos only the flattened page is even enough.
    """
    rulings = detect_rulings(gray, text_h)
    bands = detect_bands(gray, text_h)
    if shades is not None:
        raw_bands = detect_bands(shades, text_h)
        # the unflattened page wins unless it shows (nearly) nothing: flattening breaks stripes into pieces
        if len(raw_bands) >= 2 and _area(raw_bands) >= 0.8 * _area(bands):
            bands = raw_bands
    rulings = _without_glyph_edges(rulings, bands, shades if shades is not None else gray, text_h)
    rulings = _without_fill_texture(rulings, bands, text_h)
    rulings = _without_lone_strokes(rulings, text_h)
    return frame_dark_bands(rulings, bands, text_h), bands


FILL_CONTRAST = 80  # how much darker than the paper a fill must be to hold light glyphs


def _without_glyph_edges(rulings: Rulings, bands: list[Band], shades: np.ndarray, text_h: float) -> Rulings:
    """The rules minus those lying inside a dark fill: there the fill showing between and around light
    glyphs opens into short dark runs (a separator inside a dark band is light, never ink). Left in, they
    made a dark header band a row of one-cell grids and joined stacked tables through their header rules.
    A run along the band's whole width is the band's edge rule and stays.
    Darkness is judged on the unflattened page: flattening lifts a large dark fill towards paper."""
    m = 0.25 * text_h
    # dark against the paper too: on a dim scan or photo the unflattened paper itself may be darker than
    # DARK_BAND, and the rules inside its shaded stripes are ink
    paper = float(np.percentile(shades[::4, ::4], 90))
    dark = [b for b in bands if _median(shades, b) < min(DARK_BAND, paper - FILL_CONTRAST)]
    if not dark:
        return rulings

    def inside_v(v: VLine) -> bool:
        return any(b.x0 - m <= v.x <= b.x1 + m and v.y0 >= b.y0 - m and v.y1 <= b.y1 + m for b in dark)

    def inside_h(s: HLine) -> bool:
        # a rule along the band's whole width is its edge (band edges are found on a coarse grid)
        return any(
            b.y0 + m < s.y < b.y1 - m
            and s.x0 >= b.x0 - m
            and s.x1 <= b.x1 + m
            and s.length < 0.9 * (b.x1 - b.x0)
            for b in dark
        )

    return Rulings(
        [s for s in rulings.hlines if not inside_h(s)],
        [v for v in rulings.vlines if not inside_v(v)],
        rulings.mask,  # still painted out before OCR: read, the dark runs become letters
    )


def _without_fill_texture(rulings: Rulings, bands: list[Band], text_h: float) -> Rulings:
    """The vertical rules minus those lying wholly inside a shaded band with no rule at the same abscissa
    outside it: a halftone or grainy fill (a scanned grey total row, a photo's textured print) opens into
    dozens of short dark streaks, which made a ruled table dozens of columns wide. A column rule crossing
    the band runs on above or below it (in one piece or broken at the band's edges), so it stays."""
    m = 0.25 * text_h
    tol = max(3.0, 0.4 * text_h)

    def holder(v: VLine) -> Band | None:
        return next(
            (b for b in bands if b.x0 - m <= v.x <= b.x1 + m and v.y0 >= b.y0 - m and v.y1 <= b.y1 + m),
            None,
        )

    inside = {id(v): b for v in rulings.vlines if (b := holder(v)) is not None}
    if not inside:
        return rulings

    def continued(v: VLine, b: Band) -> bool:
        return any(
            abs(o.x - v.x) <= tol and (o.y0 < b.y0 - m or o.y1 > b.y1 + m)
            for o in rulings.vlines
            if id(o) not in inside
        )

    keep = [v for v in rulings.vlines if id(v) not in inside or continued(v, inside[id(v)])]
    if len(keep) == len(rulings.vlines):
        return rulings
    # not painted out before OCR either: erased streaks cut the glyphs printed on the fill
    mask = rulings.mask.copy()
    kept = {id(v) for v in keep}
    for v in rulings.vlines:
        if id(v) not in kept:
            b = inside[id(v)]
            half = v.thickness // 2 + 4
            y0, y1 = max(v.y0, b.y0 + 2), min(v.y1, b.y1 - 2)
            mask[max(0, y0) : max(0, y1), max(0, v.x - half) : v.x + half + 1] = 0
    return Rulings(rulings.hlines, keep, mask)


# A vertical "rule" shorter than this many text heights that meets no horizontal rule and continues no
# other vertical rule is a glyph's stem (large bold totals, dot-matrix print), not a rule.
LONE_STROKE = 3.0


def _without_lone_strokes(rulings: Rulings, text_h: float) -> Rulings:
    """The vertical rules minus short strokes standing alone: a column rule is long, or meets the
    horizontal rules of its grid, or is one piece of a rule broken by a crease (others at its abscissa).
    Painted out before OCR, the stems of large or dotted glyphs cut words in half ('Total' read 'o a')."""
    tol = max(4.0, 0.6 * text_h)

    def meets_rule(v: VLine) -> bool:
        return any(
            s.x0 - tol <= v.x <= s.x1 + tol and v.y0 - tol <= s.y <= v.y1 + tol for s in rulings.hlines
        )

    def continued(v: VLine) -> bool:
        return any(
            o is not v and abs(o.x - v.x) <= tol and (o.y1 <= v.y0 or o.y0 >= v.y1) for o in rulings.vlines
        )

    lone = [
        v
        for v in rulings.vlines
        if v.length < LONE_STROKE * text_h and not meets_rule(v) and not continued(v)
    ]
    if not lone:
        return rulings
    mask = rulings.mask.copy()
    for v in lone:
        half = v.thickness // 2 + 4
        mask[max(0, v.y0 - 2) : v.y1 + 2, max(0, v.x - half) : v.x + half + 1] = 0
    drop = {id(v) for v in lone}
    return Rulings(rulings.hlines, [v for v in rulings.vlines if id(v) not in drop], mask)


def _median(gray: np.ndarray, b: Band) -> float:
    patch = gray[max(0, b.y0) : b.y1, max(0, b.x0) : b.x1]
    return float(np.median(patch)) if patch.size else 255.0


def grid_regions(hl: list[HLine], vl: list[VLine], tol: int) -> list[Region]:
    """Connected networks of crossing rules with at least two of each direction."""
    n_h = len(hl)
    dsu = UnionFind(n_h + len(vl))
    for i, h in enumerate(hl):
        for j, v in enumerate(vl):
            if h.x0 - tol <= v.x <= h.x1 + tol and v.y0 - tol <= h.y <= v.y1 + tol:
                dsu.union(i, n_h + j)
    groups: dict[int, tuple[list[HLine], list[VLine]]] = {}
    for i, h in enumerate(hl):
        groups.setdefault(dsu.find(i), ([], []))[0].append(h)
    for j, v in enumerate(vl):
        groups.setdefault(dsu.find(n_h + j), ([], []))[1].append(v)
    out: list[Region] = []
    for hs, vs in groups.values():
        if len(hs) < 2 or len(vs) < 2:
            continue
        xs = _cluster([v.x for v in vs], tol)
        ys = _cluster([h.y for h in hs], tol)
        if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) < 2:
            continue
        x0 = min(min(h.x0 for h in hs), min(v.x for v in vs))
        x1 = max(max(h.x1 for h in hs), max(v.x for v in vs))
        y0 = min(min(v.y0 for v in vs), min(h.y for h in hs))
        y1 = max(max(v.y1 for v in vs), max(h.y for h in hs))
        out.append(Region("grid", x0, y0, x1, y1, hlines=hs, vlines=vs))
    return out


def _cluster(values: Sequence[float], tol: float) -> list[float]:
    """Sorted values merged when closer than ``tol``; each cluster reported by its mean."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [float(np.mean(c)) for c in out]


def _same_stripe_extent(a: Band, b: Band, h: float) -> bool:
    """Two stripes of one zebra table: nearly the same extent, or the same right edge and most of the width
    (a row-spanning first column is striped with its first row only, so the stripes of the other rows start
    right of it; a narrower table stacked below shares the left edge instead)."""
    ov = overlap(a.x0, a.x1, b.x0, b.x1)
    wide = max(a.x1 - a.x0, b.x1 - b.x0)
    if ov >= 0.85 * wide:
        return True
    return abs(a.x1 - b.x1) <= h and abs(a.x0 - b.x0) > h and ov >= 0.6 * wide


def _joined_halves(bands: list[Band], h: float) -> list[Band]:
    """Bands touching one above the other over the same extent are one band: a dark fill split along the
    light text across its middle, or a header two rows tall. Zebra stripes stand a row apart."""
    out: list[Band] = []
    for b in sorted(bands, key=lambda b: b.y0):
        prev = next(
            (
                a
                for a in out
                if 0 <= b.y0 - a.y1 <= 0.3 * h
                and overlap(a.x0, a.x1, b.x0, b.x1) >= 0.9 * max(a.x1 - a.x0, b.x1 - b.x0)
            ),
            None,
        )
        if prev is None:
            out.append(b)
            continue
        wa, wb = prev.y1 - prev.y0, b.y1 - b.y0
        level = (prev.level * wa + b.level * wb) / max(1, wa + wb)
        out[out.index(prev)] = Band(min(prev.x0, b.x0), prev.y0, max(prev.x1, b.x1), b.y1, level)
    return out


# A stripe or a header band is a row (or a wrapped header's few lines) tall and several columns wide: a band
# this many text heights tall or more is at least this many times as wide as it is tall.
BLOTCH_TALL = 2.5
STRIPE_ASPECT = 3.0


def _row_like(b: Band, h: float) -> bool:
    """Whether a band has a table row's shape. A photographed screen's moire makes blotches a few text
    heights tall and about as wide, all over the page: stacked over one another they made zebra tables of
    a column or two inside a plain table, cutting it into stripes. (A dark header's fill, split along its
    light text, leaves short pieces of any width: those are not tall. A dark fill found whole is a header
    however tall: two wrapped header rows stand as tall as a narrow table is wide; moire is light.)"""
    return (
        b.level < DARK_BAND or b.y1 - b.y0 < BLOTCH_TALL * h or b.x1 - b.x0 >= STRIPE_ASPECT * (b.y1 - b.y0)
    )


def band_regions(bands: list[Band], h: float) -> list[Region]:
    """Stacks of shaded stripes sharing their left and right edges."""
    bs = sorted(
        (b for b in _joined_halves(bands, h) if b.y1 - b.y0 >= 0.8 * h and _row_like(b, h)),
        key=lambda b: b.y0,
    )
    used = [False] * len(bs)
    out: list[Region] = []
    for i, first in enumerate(bs):
        if used[i]:
            continue
        group = [first]
        used[i] = True
        for j in range(i + 1, len(bs)):
            b = bs[j]
            if used[j]:
                continue
            last = group[-1]
            if not _same_stripe_extent(b, first, h):
                continue
            gap = b.y0 - last.y1
            height = max(last.y1 - last.y0, b.y1 - b.y0)
            if gap > 2.2 * height + 0.5 * h:
                break
            group.append(b)
            used[j] = True
        if len(group) >= 2:
            out.append(
                Region(
                    "zebra",
                    min(b.x0 for b in group),
                    group[0].y0,
                    max(b.x1 for b in group),
                    group[-1].y1,
                    bands=group,
                )
            )
        elif (first.x1 - first.x0) >= 10 * h:
            # a lone shaded stripe: a header band of a table whose body is plain; becomes a seed
            out.append(Region("plain", first.x0, first.y0, first.x1, first.y1, bands=[first], seed=True))
    return out


def stripes_end_mid_row(r: Region, words: Sequence[WordLike], h: float) -> bool:
    """Most of the region's stripes end on the right where their row's text goes on: a word starts right
    after the stripe's end or runs across it. A zebra stripe or header band spans its table's whole row
    (at least to the last cell's padding), so these are highlighted cells (a shaded label column), and the
    table is the text around them, not the stripes' extent."""

    def runs_on(b: Band) -> bool:
        on_row = [w for w in words if b.y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= b.y1]
        return any(b.x1 + 0.5 * h < w.bbox[2] and w.bbox[0] < b.x1 + 1.5 * h for w in on_row)

    return sum(1 for b in r.bands if runs_on(b)) > 0.5 * len(r.bands)
