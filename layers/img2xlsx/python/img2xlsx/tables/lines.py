"""Ruling lines and shaded bands: the graphical cues that delimit rows, columns and tables.

Lines are found by morphological opening of the ink mask with long thin kernels, so text strokes vanish and
rules survive; collinear pieces are then joined so broken or faint rules still count as one line. Bands are
rectangles whose background differs from the page (zebra stripes, shaded headers); they are found on a
"background only" image where the text has been closed away.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from .darkfills import dark_fills


@dataclass
class HLine:
    """A horizontal rule from ``x0`` to ``x1`` (inclusive-exclusive) at height ``y``."""

    x0: int
    x1: int
    y: int  # height at the middle of the rule
    thickness: int = 1
    slope: float = 0.0  # dy/dx: photos keep a little perspective

    @property
    def length(self) -> int:
        return self.x1 - self.x0

    def y_at(self, x: float) -> float:
        return self.y + self.slope * (x - (self.x0 + self.x1) / 2)


@dataclass
class VLine:
    """A vertical rule from ``y0`` to ``y1`` at abscissa ``x``."""

    y0: int
    y1: int
    x: int  # abscissa at the middle of the rule
    thickness: int = 1
    slope: float = 0.0  # dx/dy

    @property
    def length(self) -> int:
        return self.y1 - self.y0

    def x_at(self, y: float) -> float:
        return self.x + self.slope * (y - (self.y0 + self.y1) / 2)


@dataclass
class Band:
    """A filled rectangle whose background differs from the page (a zebra stripe or a shaded header)."""

    x0: int
    y0: int
    x1: int
    y1: int
    level: float  # mean background grey inside the band


@dataclass
class Rulings:
    hlines: list[HLine]
    vlines: list[VLine]
    mask: np.ndarray  # uint8, 255 where a detected rule lies (used to erase rules before OCR)


def ink_mask(gray: np.ndarray, text_h: float) -> np.ndarray:
    """Ink = pixels clearly darker than the background around them.

    The background is a grey closing wider than any stroke or rule: it keeps large flat areas (paper, shaded
    bands with their sharp edges) and removes thin dark marks, so band edges are not mistaken for rules
    while faint grey rules on white still stand out.
    """
    k = int(max(7, round(text_h * 0.6)) | 1)
    bg = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    diff = cv2.subtract(bg, gray)
    return (diff > 20).astype(np.uint8) * 255


def _join_h(segs: list[HLine], gap: int, dy: int) -> list[HLine]:
    """Join collinear horizontal pieces separated by less than ``gap`` px (broken or dashed rules)."""
    segs = sorted(segs, key=lambda s: (s.y, s.x0))
    rows: list[list[HLine]] = []
    for s in segs:
        for row in rows:
            if abs(row[0].y_at((s.x0 + s.x1) / 2) - s.y) <= dy:
                row.append(s)
                break
        else:
            rows.append([s])
    out: list[HLine] = []

    def close(pieces: list[HLine]) -> HLine:
        x0 = min(p.x0 for p in pieces)
        x1 = max(p.x1 for p in pieces)
        total = sum(p.length for p in pieces) or 1
        slope = sum(p.slope * p.length for p in pieces) / total
        mid = (x0 + x1) / 2
        y = float(np.median([p.y_at(mid) for p in pieces]))
        return HLine(x0, x1, round(y), max(p.thickness for p in pieces), slope)

    for row in rows:
        row.sort(key=lambda s: s.x0)
        pieces = [row[0]]
        right = row[0].x1
        for s in row[1:]:
            if s.x0 - right <= gap:
                pieces.append(s)
                right = max(right, s.x1)
            else:
                out.append(close(pieces))
                pieces, right = [s], s.x1
        out.append(close(pieces))
    return out


def _join_v(segs: list[VLine], gap: int, dx: int) -> list[VLine]:
    flipped = [HLine(s.y0, s.y1, s.x, s.thickness, s.slope) for s in segs]
    return [VLine(h.x0, h.x1, h.y, h.thickness, h.slope) for h in _join_h(flipped, gap, dx)]


def _fit(mask: np.ndarray, *, horizontal: bool) -> tuple[float, float]:
    """Centre offset and slope of a thin slanted run (least squares on its pixels)."""
    ys, xs = np.nonzero(mask)
    if not horizontal:
        xs, ys = ys, xs
    if xs.size < 2 or float(xs.max() - xs.min()) < 1:
        return float(ys.mean()) if ys.size else 0.0, 0.0
    slope, intercept = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)
    cx = (xs.min() + xs.max()) / 2
    return float(intercept + slope * cx), float(slope)


def _inside_text(ink: np.ndarray, x: int, y: int, w: int, h: int) -> bool:
    """A horizontal run with ink both right above and right below it along most of its length is the
    baseline or bar of bold glyphs, not a rule (a rule has paper on at least one side)."""
    above = ink[max(0, y - 3) : max(0, y - 1), x : x + w]
    below = ink[y + h + 1 : y + h + 3, x : x + w]
    if above.size == 0 or below.size == 0:
        return False
    a = float((above.max(axis=0) > 0).mean())
    b = float((below.max(axis=0) > 0).mean())
    return a > 0.35 and b > 0.35


def detect_rulings(gray: np.ndarray, text_h: float) -> Rulings:
    """Horizontal and vertical rules of the page, joined across small breaks."""
    ink = ink_mask(gray, text_h)
    _h_img, _w_img = gray.shape[:2]
    max_thick = max(4, round(text_h * 0.45))

    hk = max(20, round(text_h * 2.2))
    h_open = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vk = max(20, round(text_h * 1.6))
    v_open = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))

    hsegs = [HLine(*seg) for seg in _segments(h_open, hk, max_thick, ink, horizontal=True)]
    vsegs = [VLine(*seg) for seg in _segments(v_open, vk, max_thick, ink, horizontal=False)]

    gap = round(text_h * 1.2)
    hlines = [s for s in _join_h(hsegs, gap, max(2, max_thick)) if s.length >= max(4 * text_h, 40)]
    vlines = [s for s in _join_v(vsegs, gap, max(2, max_thick)) if s.length >= max(1.4 * text_h, 20)]

    return Rulings(hlines, vlines, _rule_mask(h_open, v_open, hlines, vlines))


def _segments(
    opened: np.ndarray, min_len: int, max_thick: int, ink: np.ndarray, *, horizontal: bool
) -> list[tuple[int, int, int, int, float]]:
    """Rule pieces of one direction in an opening: (start, end, position, thickness, slope) along the
    rule's own axis. Written once for both directions; only horizontal runs can be the bars of bold glyphs
    (:func:`_inside_text`)."""
    out: list[tuple[int, int, int, int, float]] = []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        start, along, side, across = (x, w, y, h) if horizontal else (y, h, x, w)
        if along < min_len:
            continue
        thick = area / max(along, 1)
        if across <= max_thick * 2:
            if not (horizontal and _inside_text(ink, x, y, w, h)):
                out.append((int(start), int(start + along), int(side + across // 2), int(across), 0.0))
        elif thick <= max_thick * 1.5 and across <= max_thick * 2 + 0.07 * along:
            # a slanted rule (residual perspective): its bounding box is thicker than the rule is
            mid, slope = _fit(labels[y : y + h, x : x + w] == i, horizontal=horizontal)
            out.append((int(start), int(start + along), round(side + mid), max(1, round(thick)), slope))
    return out


def _rule_mask(
    h_open: np.ndarray, v_open: np.ndarray, hlines: list[HLine], vlines: list[VLine]
) -> np.ndarray:
    """Ink of the accepted rules only. The openings also keep long runs that were rejected as rules, such
    as the merged tops of blurred digits in small text; erasing those cut numbers in half for OCR."""
    keep = np.zeros_like(h_open)
    for hl in hlines:
        half = hl.thickness // 2 + 3
        p0 = (hl.x0, round(hl.y_at(hl.x0)))
        p1 = (hl.x1 - 1, round(hl.y_at(hl.x1 - 1)))
        cv2.line(keep, p0, p1, 255, 2 * half + 1)
    h_mask = cv2.bitwise_and(h_open, keep)
    keep[:] = 0
    for vl in vlines:
        half = vl.thickness // 2 + 3
        p0 = (round(vl.x_at(vl.y0)), vl.y0)
        p1 = (round(vl.x_at(vl.y1 - 1)), vl.y1 - 1)
        cv2.line(keep, p0, p1, 255, 2 * half + 1)
    v_mask = cv2.bitwise_and(v_open, keep)
    mask: np.ndarray = cv2.dilate(cv2.bitwise_or(h_mask, v_mask), np.ones((3, 3), np.uint8))
    return mask


DARK_BAND = 140  # mean grey under which a band is a dark fill (light text on it), as page.clean.DARK_FILL
# How tall a band may be, in pixels of the bands' work scale (~8 px text height): from three quarters of a
# text line (a fill row between rules) to six lines (a header of wrapped cells); taller shades are panels.
BAND_PX = (6, 8 * 6)
BAND_COVER = 0.5  # share of a rule's length the bands on it (one dark) must cover to be its header row


def frame_dark_bands(rulings: Rulings, bands: list[Band], text_h: float) -> Rulings:
    """A dark header band sitting on a grid's top rule, with no rule of its own above: its top edge becomes
    a rule and the grid's vertical rules reach up to it, so the header row joins the grid. The band's edges
    are not ink (it is a fill), and light separators inside it are not either."""
    tol = max(4, round(0.4 * text_h))
    gap = max(tol, round(0.8 * text_h))
    hlines, vlines = list(rulings.hlines), list(rulings.vlines)
    hlines += _band_floors(hlines, vlines, bands, tol, gap)
    for top in sorted(hlines, key=lambda h: h.y):
        # the band may come in pieces, some of them lighter (boxed header cells stand apart, and a piece
        # holding the light gaps between boxes and the light glyphs is no darker than mid-grey), and a
        # little above the rule (boxed cells stand apart from the body's boxes below too)
        on = [b for b in bands if -tol <= top.y - b.y1 <= gap and b.x1 > top.x0 and b.x0 < top.x1]
        covered = sum(min(b.x1, top.x1) - max(b.x0, top.x0) for b in on)
        if not any(b.level < DARK_BAND for b in on) or covered < BAND_COVER * top.length:
            continue
        y0 = min(b.y0 for b in on)
        # a header of two rows: dark bands stacked right above (a light separator between them)
        while above := [
            b
            for b in bands
            if b.level < DARK_BAND and 0 <= y0 - b.y1 <= gap and b.x1 > top.x0 and b.x0 < top.x1 and b.y0 < y0
        ]:
            y0 = min(b.y0 for b in above)
        # (a rule along part of the band's edge is a light separator's edge inside a dark header)
        if top.y - y0 < text_h or any(
            abs(h.y - y0) <= tol and _shared_length(h, top) >= 0.8 * top.length for h in hlines
        ):
            continue
        # the band's own ends where it runs a little past the rule (a body's rules running wider than the
        # header rule under the band, the top rule would tell a narrower table)
        fills = [
            b
            for b in on
            if b.level < DARK_BAND and top.x0 - 2 * text_h <= b.x0 and b.x1 <= top.x1 + 2 * text_h
        ]
        x0, x1 = min([top.x0, *(b.x0 for b in fills)]), max([top.x1, *(b.x1 for b in fills)])
        hlines.append(HLine(x0, x1, y0, top.thickness))
        vlines = [
            VLine(y0, v.y1, v.x, v.thickness, v.slope)
            if abs(v.y0 - top.y) <= tol and top.x0 - tol <= v.x <= top.x1 + tol
            else v
            for v in vlines
            if not _inside_fill(v, Band(top.x0, y0, top.x1, top.y, 0.0), tol)
        ]
    return Rulings(hlines, vlines, rulings.mask)


def _band_floors(
    hlines: list[HLine], vlines: list[VLine], bands: list[Band], tol: int, gap: int
) -> list[HLine]:
    """The grid's top rules hidden under dark header bands: where column rules start right under a dark
    band with no rule there (a dark rule against the dark fill reads as part of the band)."""
    out: list[HLine] = []
    for b in bands:
        if b.level >= DARK_BAND:
            continue
        starts = [v for v in vlines if -tol <= v.y0 - b.y1 <= gap and b.x0 - tol <= v.x <= b.x1 + tol]
        if len(starts) < 2:
            continue
        # across the band's width: column rules may stand between column groups only
        x0, x1 = min(b.x0, *(v.x for v in starts)), max(b.x1, *(v.x for v in starts))
        y = int(np.median([v.y0 for v in starts]))
        floor = HLine(x0, x1, y, 2)
        if x1 - x0 < 0.5 * (b.x1 - b.x0) or any(
            abs(h.y - y) <= tol and _shared_length(h, floor) >= 0.5 * floor.length for h in hlines + out
        ):
            continue
        out.append(floor)
    return out


def _shared_length(a: HLine, b: HLine) -> int:
    return max(0, min(a.x1, b.x1) - max(a.x0, b.x0))


def _inside_fill(v: VLine, row: Band, tol: int) -> bool:
    """A vertical "rule" within a dark header row is the fill showing between light glyphs (a real
    separator there is light, so never ink), not a rule."""
    return row.x0 - tol <= v.x <= row.x1 + tol and v.y0 >= row.y0 - tol and v.y1 <= row.y1 + tol


def detect_bands(gray: np.ndarray, text_h: float, rulings_mask: np.ndarray | None = None) -> list[Band]:
    """Shaded rectangles at least a text line tall and several words wide.

    The text is removed with a grey closing (max then min filter) wider than a stroke; the remaining
    background is compared with the page's dominant paper level.
    """
    h_img, w_img = gray.shape[:2]
    small = max(1.0, text_h / 8.0)  # work at ~8 px text height: bands are large, this is fast
    sw, sh = max(1, round(w_img / small)), max(1, round(h_img / small))
    g = cv2.resize(gray, (sw, sh), interpolation=cv2.INTER_AREA)
    k = 15
    bg = cv2.morphologyEx(g, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.medianBlur(bg, 3)
    # local paper level: the brightest background within a few rows (bands are a few rows tall at most),
    # so uneven lighting of photos does not read as shading
    kp = 8 * 8 + 1
    paper = cv2.dilate(bg, cv2.getStructuringElement(cv2.MORPH_RECT, (kp, kp)))
    paper = cv2.blur(paper, (kp, kp))
    shaded_raw: np.ndarray = (bg.astype(np.int16) < paper.astype(np.int16) - 3).astype(np.uint8) * 255
    shaded = cv2.morphologyEx(shaded_raw, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(shaded, connectivity=4)
    bands: list[Band] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if h < 8 or w < 5 * 8 or area < 0.6 * w * h:
            continue
        if w > 0.97 * sw and h > 0.5 * sh:
            continue  # the whole page is a shade (dark photo background), not a band
        # adjacent stripes of different shades (header over first body row) form one component: split it
        # where the row-wise level steps
        levels = np.median(bg[y : y + h, x : x + w], axis=1).astype(np.float32)
        # split only at sharp steps (a fill boundary); slow drifts are left-over illumination
        cuts = [0]
        for j in range(2, h - 1):
            if abs(float(levels[j]) - float(levels[j - 2])) > 6 and j - cuts[-1] >= 4:
                cuts.append(j)
        cuts.append(h)
        for a, b in itertools.pairwise(cuts):
            if BAND_PX[0] <= b - a <= BAND_PX[1]:
                bands.append(
                    Band(
                        int(x * small),
                        int((y + a) * small),
                        int((x + w) * small),
                        int((y + b) * small),
                        float(np.median(levels[a:b])),
                    )
                )
    return _with_dark_fills(_join_bands(bands, text_h), g, paper, small, text_h)


def _with_dark_fills(
    bands: list[Band], g: np.ndarray, paper: np.ndarray, small: float, text_h: float
) -> list[Band]:
    """``bands`` with each dark fill of ``g`` (at scale 1/``small``) as one band, replacing the pieces the
    closing left of it (see :mod:`.darkfills`). Fills are added after pieces of one stripe are joined: two
    header bands side by side, a column gap apart, are two tables' heads; boxed header cells a light
    separator apart are one header."""
    fills: list[Band] = []
    for x0, y0, x1, y1, level in sorted(dark_fills(g, paper)):
        if not BAND_PX[0] <= y1 - y0 <= BAND_PX[1]:
            continue
        b = Band(int(x0 * small), int(y0 * small), int(x1 * small), int(y1 * small), level)
        prev = next(
            (
                f
                for f in fills
                if abs(f.y0 - b.y0) <= 0.4 * text_h
                and abs(f.y1 - b.y1) <= 0.4 * text_h
                and b.x0 - f.x1 < 2 * text_h
            ),
            None,
        )
        if prev is None:
            fills.append(b)
        else:
            prev.x1, prev.y0, prev.y1 = max(prev.x1, b.x1), min(prev.y0, b.y0), max(prev.y1, b.y1)

    def inside(b: Band) -> bool:
        shared = sum(
            max(0, min(b.x1, f.x1) - max(b.x0, f.x0)) * max(0, min(b.y1, f.y1) - max(b.y0, f.y0))
            for f in fills
        )
        return shared >= 0.6 * max(1, (b.x1 - b.x0) * (b.y1 - b.y0))

    return [b for b in bands if not inside(b)] + fills


def _join_bands(bands: list[Band], text_h: float) -> list[Band]:
    """Pieces of one stripe split where its shade was too faint: same rows, small horizontal gap."""
    out: list[Band] = []
    for b in sorted(bands, key=lambda b: (b.y0, b.x0)):
        for o in out:
            same_rows = abs(o.y0 - b.y0) <= 0.4 * text_h and abs(o.y1 - b.y1) <= 0.4 * text_h
            if same_rows and b.x0 - o.x1 <= 4 * text_h and abs(o.level - b.level) <= 6:
                o.x1 = max(o.x1, b.x1)
                o.y0, o.y1 = min(o.y0, b.y0), max(o.y1, b.y1)
                break
        else:
            out.append(Band(b.x0, b.y0, b.x1, b.y1, b.level))
    return out
