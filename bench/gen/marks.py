"""Ink people add to printed tables: handwritten notes and scribbles, rubber stamps, tick boxes.

Drawn on the clean page before the photo simulator, outside the tables' cells (in the margins, beside the
rows), so the ground truth stays what was printed; they test that marks do not become tables or cells.
"""

from __future__ import annotations

import subprocess
from functools import cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

MARKS = ("none", "handwriting", "stamp", "ticks")
HAND_FONTS = ("Humor Sans", "DkgHandwriting")
STAMP_WORDS = {
    "eng": ["PAID", "APPROVED", "RECEIVED", "COPY"],
    "deu": ["BEZAHLT", "GEPRÜFT", "EINGANG", "KOPIE"],
    "fra": ["PAYÉ", "REÇU", "COPIE", "VÉRIFIÉ"],
    "spa": ["PAGADO", "RECIBIDO", "COPIA", "REVISADO"],
    "vie": ["ĐÃ THU", "ĐÃ DUYỆT", "BẢN SAO"],
}
NOTES = ["ok", "checked", "see p. 4", "call back", "?!", "v", "done", "12/3", "AB", "n.b."]


@cache
def _font_file(family: str) -> str | None:
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path = out.stdout.strip()
    return path if path and family.split()[0].lower()[:4] in path.lower() else None


def _free_spot(
    rng: np.random.Generator, w: int, h: int, bw: int, bh: int, boxes: list[tuple[float, float, float, float]]
) -> tuple[int, int] | None:
    """Top-left of a bw x bh rectangle inside the page that overlaps no table, or None."""
    for _ in range(40):
        if w - bw <= 0 or h - bh <= 0:
            return None
        x, y = int(rng.integers(0, w - bw)), int(rng.integers(0, h - bh))
        if all(x + bw < b[0] - 4 or x > b[2] + 4 or y + bh < b[1] - 4 or y > b[3] + 4 for b in boxes):
            return x, y
    return None


def _ink(rng: np.random.Generator) -> tuple[int, int, int]:
    return [(20, 30, 140), (15, 15, 20), (30, 60, 170), (140, 20, 30)][int(rng.integers(4))]


def _scribble(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, x: int, y: int, w: int, h: int, ink: Any
) -> None:
    """A signature-like smooth loop: random points through a sine-wobbled path."""
    n = 40
    t = np.linspace(0, 1, n)
    xs = x + t * w
    ys = y + h / 2 + np.sin(t * rng.uniform(6, 18)) * h / 2 * rng.uniform(0.4, 1.0)
    draw.line(
        list(zip(xs.tolist(), ys.tolist(), strict=True)),
        fill=ink,
        width=int(rng.integers(1, 3)),
        joint="curve",
    )


def add_marks(
    img: np.ndarray,
    kind: str,
    rng: np.random.Generator,
    tables: list[tuple[float, float, float, float]],
    rows: list[list[tuple[float, float, float, float]]],
    lang: str,
    font_px: float,
) -> tuple[np.ndarray, dict[str, Any]]:
    """``img`` with ``kind`` marks drawn where no table is; returns the picture and what was drawn."""
    if kind == "none":
        return img, {}
    h, w = img.shape[:2]
    pil = Image.fromarray(img).convert("RGB")
    layer = Image.new("RGBA", pil.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    info: dict[str, Any] = {"marks": kind}
    if kind == "ticks" and rows:
        # a tick box left of every body row of the first table, some ticked, some crossed
        t0 = tables[0]
        size = int(max(8, min(font_px * 1.1, 24)))
        x = int(t0[0] - size - max(6, font_px))
        if x < 2:
            return img, {}
        ink = _ink(rng)
        n = 0
        for r in rows[0][1:]:
            cy = int((r[1] + r[3]) / 2)
            draw.rectangle([x, cy - size // 2, x + size, cy + size // 2], outline=(40, 40, 40, 255), width=1)
            mark = rng.choice(["tick", "tick", "cross", "none"])
            if mark == "tick":
                pts = [(x + 2, cy), (x + size // 3, cy + size // 2 - 1), (x + size + 3, cy - size // 2 - 4)]
                draw.line(pts, fill=(*ink, 255), width=2, joint="curve")
            elif mark == "cross":
                draw.line(
                    [(x + 2, cy - size // 2 + 2), (x + size - 2, cy + size // 2 - 2)],
                    fill=(*ink, 255),
                    width=2,
                )
                draw.line(
                    [(x + size - 2, cy - size // 2 + 2), (x + 2, cy + size // 2 - 2)],
                    fill=(*ink, 255),
                    width=2,
                )
            n += 1
        info["tick_boxes"] = n
    elif kind == "stamp":
        word = str(rng.choice(STAMP_WORDS[lang]))
        size = int(rng.uniform(18, 34))
        ff = _font_file("DejaVu Sans:bold")
        font = ImageFont.truetype(ff, size) if ff else ImageFont.load_default()
        tw = int(draw.textlength(word, font=font))
        bw, bh = tw + 2 * size, int(size * 2.2)
        stamp = Image.new("RGBA", (bw, bh), (0, 0, 0, 0))
        sd = ImageDraw.Draw(stamp)
        colour = [(190, 30, 40), (30, 50, 170), (40, 120, 60)][int(rng.integers(3))]
        alpha = int(rng.uniform(140, 220))
        sd.rounded_rectangle([2, 2, bw - 3, bh - 3], radius=size // 3, outline=(*colour, alpha), width=3)
        sd.rectangle([7, 7, bw - 8, bh - 8], outline=(*colour, alpha), width=1)
        sd.text((size, bh / 2), word, font=font, fill=(*colour, alpha), anchor="lm")
        arr = np.array(stamp)
        holes = rng.random(arr.shape[:2]) < rng.uniform(0.05, 0.3)  # dry ink
        arr[holes, 3] = 0
        stamp = Image.fromarray(arr).rotate(float(rng.uniform(-25, 25)), expand=True, resample=Image.BICUBIC)
        spot = _free_spot(rng, w, h, stamp.width, stamp.height, tables)
        if spot is None:
            return img, {}
        layer.alpha_composite(stamp, spot)
        info["stamp"] = word
    else:  # handwriting: a few notes and a signature in the free space
        ff = _font_file(str(rng.choice(HAND_FONTS)))
        n = int(rng.integers(1, 4))
        placed = 0
        for _ in range(n):
            ink = _ink(rng)
            size = int(rng.uniform(max(12, font_px), max(16, font_px * 1.8)))
            text = str(rng.choice(NOTES))
            font = ImageFont.truetype(ff, size) if ff else ImageFont.load_default()
            tw = int(draw.textlength(text, font=font)) + 6
            spot = _free_spot(rng, w, h, tw, size + 6, tables)
            if spot is None:
                continue
            draw.text(spot, text, font=font, fill=(*ink, 235))
            placed += 1
        sw, sh = int(rng.uniform(60, 140)), int(rng.uniform(14, 30))
        spot = _free_spot(rng, w, h, sw, sh, tables)
        if spot is not None:
            _scribble(draw, rng, spot[0], spot[1], sw, sh, (*_ink(rng), 255))
            placed += 1
        if not placed:
            return img, {}
        info["hand_notes"] = placed
    pil = Image.alpha_composite(pil.convert("RGBA"), layer).convert("RGB")
    return np.asarray(pil).copy(), info
