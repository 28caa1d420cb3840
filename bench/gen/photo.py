"""Make a clean rendered page look like it went through the real world (numpy + OpenCV, seeded).

``degrade(img, kind, rng, ...)`` returns the new picture, the parameters drawn (for the manifest) and the file
type to save it as (``encode`` writes it, JPEG at the drawn quality). Kinds (``DEGRADATIONS``):

- clean: untouched screenshot (PNG);
- lowres: downscaled (and sometimes blown up again) screenshot;
- scan: paper tone, slight skew, blur, noise, speckle, JPEG, sometimes grey or bi-level;
- photo: the page on a desk, perspective, gentle bend, uneven light and a shadow, blur, noise, JPEG;
- curled: a phone photo of a page bent and curled at one edge (smooth displacement field, shading);
- screen: a screen photographed: pixel grid and moire, glare, perspective, colour cast;
- crumpled: creased paper (height field: displacement plus shading), photographed.

Geometry never changes what the tables say, so the ground truth is the clean page's.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

DEGRADATIONS = ("clean", "lowres", "scan", "photo", "curled", "screen", "crumpled")
MAX_SIDE = 3000


def encode(img: np.ndarray, ext: str, params: dict[str, Any]) -> bytes:
    """The file bytes of a ``degrade`` result: PNG, or JPEG at the quality it drew."""
    flags = [cv2.IMWRITE_JPEG_QUALITY, int(params.get("jpeg_quality", 90))] if ext == "jpg" else []
    ok, buf = cv2.imencode("." + ext, np.ascontiguousarray(img[:, :, ::-1]), flags)
    if not ok:
        raise ValueError(f"cannot encode a {img.shape} picture as {ext}")
    return buf.tobytes()


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float, chroma: float = 0.3) -> np.ndarray:
    h, w = img.shape[:2]
    noise = rng.standard_normal((h, w, 1), dtype=np.float32) * sigma
    noise = noise + rng.standard_normal((h, w, 3), dtype=np.float32) * (sigma * chroma)
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def _smooth_field(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Smooth random field in [-1, 1]: coarse noise upsampled with cubic interpolation."""
    gh, gw = max(2, cells * h // max(h, w) + 2), max(2, cells * w // max(h, w) + 2)
    coarse = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


def _gain(img: np.ndarray, gain: np.ndarray) -> np.ndarray:
    g = gain[:, :, None] if gain.ndim == 2 else gain
    return np.clip(img.astype(np.float32) * g, 0, 255).astype(np.uint8)


def _light(
    rng: np.random.Generator, h: int, w: int, strength: float, shadow: bool
) -> tuple[np.ndarray, dict[str, Any]]:
    """Uneven light: a linear gradient, a vignette and maybe a soft shadow polygon (a hand or a phone)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    d = (np.cos(ang) * (xx / w - 0.5) + np.sin(ang) * (yy / h - 0.5)) * 2
    gain = 1.0 - strength * (d + 1) / 2
    r = np.sqrt(((xx / w - 0.5) * 2) ** 2 + ((yy / h - 0.5) * 2) ** 2)
    gain *= 1.0 - 0.15 * strength * r**2
    params: dict[str, Any] = {"light": round(strength, 3)}
    if shadow:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        pts = np.array(
            [
                [cx + rng.uniform(-0.6, 0.6) * w, cy + rng.uniform(-0.6, 0.6) * h]
                for _ in range(rng.integers(3, 6))
            ],
            dtype=np.int32,
        )
        f = 8  # a soft-edged shadow: drawn and blurred at 1/8 scale, then enlarged
        small = np.zeros((-(-h // f), -(-w // f)), np.float32)
        cv2.fillPoly(small, [cv2.convexHull(pts // f)], 1.0)
        k = max(3, int(max(h, w) * rng.uniform(0.03, 0.12) / f) | 1)
        mask = cv2.resize(cv2.GaussianBlur(small, (k, k), 0), (w, h), interpolation=cv2.INTER_LINEAR)
        depth = rng.uniform(0.15, 0.4)
        gain *= 1.0 - depth * mask
        params["shadow"] = round(depth, 3)
    return gain.astype(np.float32), params


def _paper(img: np.ndarray, rng: np.random.Generator, tone: float) -> np.ndarray:
    """Tint white paper (slightly warm or grey) and add fibre texture."""
    tint = np.array([tone, tone * rng.uniform(0.97, 1.0), tone * rng.uniform(0.9, 1.0)], np.float32)
    h, w = img.shape[:2]
    fibre = 1.0 + 0.02 * _smooth_field(rng, h, w, 60)
    return _gain(img, fibre[:, :, None] * tint[None, None, :])


def _blur(img: np.ndarray, rng: np.random.Generator, sigma: float, motion: bool) -> np.ndarray:
    if motion:
        n = max(3, int(sigma * 4) | 1)
        k = np.zeros((n, n), np.float32)
        k[n // 2, :] = 1.0 / n
        rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        k = cv2.warpAffine(k, rot, (n, n))
        k /= max(k.sum(), 1e-6)
        return cv2.filter2D(img, -1, k)
    return cv2.GaussianBlur(img, (0, 0), sigma) if sigma > 0.05 else img


def _on_desk(page: np.ndarray, rng: np.random.Generator, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """The page placed on a textured background; returns (canvas, page corner points on it)."""
    h, w = page.shape[:2]
    m = int(max(h, w) * margin)
    H, W = h + 2 * m, w + 2 * m
    base = np.array([rng.uniform(30, 200) for _ in range(3)], np.float32)
    tex = _smooth_field(rng, H, W, 8)[:, :, None] * rng.uniform(10, 40) + rng.standard_normal(
        (H, W, 1), dtype=np.float32
    ) * np.float32(6)
    canvas = np.clip(base[None, None, :] + tex, 0, 255).astype(np.uint8)
    canvas[m : m + h, m : m + w] = page
    corners = np.float32([[m, m], [m + w, m], [m + w, m + h], [m, m + h]])
    return canvas, corners


def _perspective(
    img: np.ndarray, corners: np.ndarray, rng: np.random.Generator, jitter: float, crop: float
) -> np.ndarray:
    """Move the page corners randomly (a tilted camera) and crop to the page plus a little background."""
    h, w = img.shape[:2]
    size = float(max(np.ptp(corners[:, 0]), np.ptp(corners[:, 1])))
    dst = corners + rng.uniform(-jitter, jitter, corners.shape).astype(np.float32) * size
    ang = np.deg2rad(rng.uniform(-6, 6))
    c = dst.mean(axis=0)
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]], np.float32)
    dst = (dst - c) @ rot.T + c
    M = cv2.getPerspectiveTransform(corners, dst.astype(np.float32))
    out = cv2.warpPerspective(img, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    x0, y0 = dst.min(axis=0) - crop * size
    x1, y1 = dst.max(axis=0) + crop * size
    x0, y0 = max(0, int(x0)), max(0, int(y0))
    x1, y1 = min(w, int(x1)), min(h, int(y1))
    return out[y0:y1, x0:x1]


def _remap(img: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(img, xx + dx, yy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def bend(
    img: np.ndarray, rng: np.random.Generator, amount: float, curl: float
) -> tuple[np.ndarray, np.ndarray]:
    """A page bent like a sheet held in a hand (a smooth vertical displacement varying along x) and curled
    near one edge; returns the warped page and a shading gain that darkens the slopes."""
    h, w = img.shape[:2]
    xs = np.linspace(0, 1, w, dtype=np.float32)
    phase = rng.uniform(0, np.pi)
    size = min(h, w)  # a tall page bends no more than a wide one
    prof = amount * size * np.sin(np.pi * xs * rng.uniform(0.5, 1.5) + phase)
    if curl > 0:
        x0 = rng.uniform(0.6, 0.85)
        side = rng.choice([-1.0, 1.0])
        t = np.clip((xs - x0) / (1 - x0), 0, None) if side > 0 else np.clip((1 - x0 - xs) / (1 - x0), 0, None)
        prof = prof + curl * size * t**2
    ys = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    dy = (prof[None, :] * (1.0 + 0.6 * ys)).astype(np.float32)
    dx = (0.02 * w * (np.gradient(prof)[None, :] / max(h, 1)) * np.ones((h, 1), np.float32)).astype(
        np.float32
    )
    warped = _remap(img, dx, -dy)
    slope = np.gradient(prof) / max(1e-6, np.abs(np.gradient(prof)).max() + 1e-6)
    shade = (1.0 - 0.18 * np.abs(slope))[None, :] * np.ones((h, 1), np.float32)
    return warped, shade.astype(np.float32)


def crumple(
    img: np.ndarray, rng: np.random.Generator, n_creases: int, depth: float
) -> tuple[np.ndarray, np.ndarray]:
    """Creased paper: a height field of random fold lines; displaced along its gradient, shaded by it."""
    H, W = img.shape[:2]
    f = max(1, max(H, W) // 500)  # the folds are smooth: build the height field at a coarser grid
    h, w = -(-H // f), -(-W // f)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    height = np.zeros((h, w), np.float32)
    for _ in range(n_creases):
        x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
        ang = rng.uniform(0, np.pi)
        dist = (xx - x0) * np.sin(ang) - (yy - y0) * np.cos(ang)
        width = rng.uniform(0.01, 0.06) * max(h, w)
        height += rng.uniform(-1, 1) * np.exp(-np.abs(dist) / width)
    height += 0.5 * _smooth_field(rng, h, w, 12)
    gy, gx = np.gradient(height)
    norm = max(1e-6, float(np.abs(gx).max() + np.abs(gy).max()))
    lx, ly = np.cos(rng.uniform(0, 2 * np.pi)), np.sin(rng.uniform(0, 2 * np.pi))
    shade = np.clip(1.0 + depth * (gx * lx + gy * ly) / norm * 2.0, 0.6, 1.2).astype(np.float32)

    def full(a: np.ndarray) -> np.ndarray:
        return cv2.resize(a.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)

    warped = _remap(img, full(gx / norm * depth * 6 * f), full(gy / norm * depth * 6 * f))
    return warped, full(shade)


def moire(img: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
    """A screen photographed: each pixel becomes RGB stripes, resampled off-grid (aliasing makes moire)."""
    h, w = img.shape[:2]
    pre = min(1.0, 1400 / max(h, w))  # a big page is shown smaller on the screen (bounds the work below)
    if pre < 1.0:
        img = cv2.resize(img, (int(w * pre), int(h * pre)), interpolation=cv2.INTER_AREA)
        h, w = img.shape[:2]
    k = 3
    big = cv2.resize(img, (w * k, h * k), interpolation=cv2.INTER_NEAREST).astype(np.float32)
    floor = rng.uniform(0.55, 0.8)
    mask = np.full((h * k, w * k, 3), floor, np.float32)
    for ch in range(3):
        mask[:, ch::k, ch] = 1.0
    mask[k - 1 :: k, :, :] *= rng.uniform(0.75, 0.95)  # the dark gaps between pixel rows
    big = cv2.GaussianBlur(big * mask / mask.mean(), (0, 0), rng.uniform(0.3, 0.8))  # the lens
    scale = rng.uniform(0.33, 0.55)
    ang = rng.uniform(-4, 4)
    out_w, out_h = int(w * k * scale) + 4, int(h * k * scale) + 4
    M = cv2.getRotationMatrix2D((w * k / 2, h * k / 2), ang, scale)
    M[0, 2] += out_w / 2 - w * k / 2
    M[1, 2] += out_h / 2 - h * k / 2
    out = cv2.warpAffine(
        np.clip(big, 0, 255).astype(np.uint8),
        M,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    # beat pattern between the sensor and the pixel grid: curved interference bands
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    warp = _smooth_field(rng, out_h, out_w, 3) * rng.uniform(5, 25)
    f1, f2 = rng.uniform(0.02, 0.08), rng.uniform(0.02, 0.08)
    a1, a2 = rng.uniform(0, np.pi), rng.uniform(0, np.pi)
    amp = rng.uniform(0.04, 0.12)
    band = np.sin(f1 * (np.cos(a1) * xx + np.sin(a1) * yy) + warp / 10) * np.sin(
        f2 * (np.cos(a2) * xx + np.sin(a2) * yy)
    )
    out = _gain(out, (1.0 + amp * band).astype(np.float32))
    return out, {
        "moire": round(amp, 3),
        "screen_scale": round(pre * scale * k, 3),
        "screen_angle": round(ang, 2),
        "subpixel_floor": round(floor, 2),
    }


def degrade(
    img: np.ndarray, kind: str, rng: np.random.Generator, font_px: float = 13.0
) -> tuple[np.ndarray, dict[str, Any], str]:
    """``img`` (H x W x 3 uint8 RGB) as a ``kind`` picture; returns (picture, parameters, "png" | "jpg").

    ``font_px``: text height in ``img``; downscaling never takes it below what a person can still read
    (about 7 px), so every picture stays legible.
    """
    if kind not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {kind!r} (choose from {', '.join(DEGRADATIONS)})")
    img = np.ascontiguousarray(img[:, :, :3])
    p: dict[str, Any] = {}
    min_scale = min(1.0, 7.5 / max(1.0, font_px))
    if kind == "clean":
        return img, p, "png"
    if kind == "lowres":
        s = max(min_scale, rng.uniform(0.45, 0.8))
        h, w = img.shape[:2]
        out = cv2.resize(img, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)
        p["scale"] = round(s, 3)
        if rng.random() < 0.3:
            out = cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)
            p["upscaled_back"] = True
        if rng.random() < 0.4:
            q = int(rng.integers(55, 90))
            p["jpeg_quality"] = q
            return out, p, "jpg"
        return out, p, "png"
    if kind == "scan":
        # scanner resolution: 150 to 300 dpi puts 9-10 pt text at 11 to 28 px
        s = max(min_scale, min(3.0, rng.uniform(11.0, 28.0) / max(1.0, font_px)))
        h, w = img.shape[:2]
        if max(h, w) * s > MAX_SIDE:
            s = MAX_SIDE / max(h, w)
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
        img = cv2.resize(img, (max(1, int(w * s)), max(1, int(h * s))), interpolation=interp)
        p["scale"] = round(s, 3)
        tone = rng.uniform(0.86, 0.98)
        out = _paper(img, rng, tone)
        ang = rng.uniform(-2.5, 2.5)
        h, w = out.shape[:2]
        M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
        out = cv2.warpAffine(
            out, M, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=(int(tone * 255),) * 3
        )
        sig = rng.uniform(0.3, 1.0)
        out = _blur(out, rng, sig, False)
        n = rng.uniform(2, 8)
        out = _noise(out, rng, n, 0.1)
        p.update(
            rotation_deg=round(ang, 2),
            paper=round(tone, 3),
            blur_sigma=round(sig, 2),
            noise_sigma=round(n, 1),
        )
        if rng.random() < 0.35:  # dust and toner specks
            k = int(out.shape[0] * out.shape[1] / 4000)
            ys, xs = rng.integers(0, out.shape[0], k), rng.integers(0, out.shape[1], k)
            out[ys, xs] = rng.integers(0, 90, (k, 1))
            p["specks"] = k
        mode = rng.choice(["colour", "grey", "grey", "bilevel"], p=[0.35, 0.35, 0.2, 0.1])
        if mode != "colour":
            g = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
            if mode == "bilevel":
                g = np.where(g > rng.uniform(150, 190), 255, 0).astype(np.uint8)
            out = cv2.cvtColor(g, cv2.COLOR_GRAY2RGB)
        p["mode"] = str(mode)
        q = int(rng.integers(40, 90))
        p["jpeg_quality"] = q
        return out, p, "jpg"
    if kind == "screen":
        out, sp = moire(img, rng)
        p.update(sp)
        h, w = out.shape[:2]
        gain, lp = _light(rng, h, w, rng.uniform(0.05, 0.3), False)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        gx, gy, gr = rng.uniform(0, w), rng.uniform(0, h), max(h, w) * rng.uniform(0.1, 0.3)
        glare = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * gr * gr)).astype(np.float32)
        cast = np.array([rng.uniform(0.85, 1.0), rng.uniform(0.9, 1.0), rng.uniform(0.95, 1.1)], np.float32)
        out = _gain(out, gain[:, :, None] * cast[None, None, :])
        out = np.clip(out.astype(np.float32) + glare[:, :, None] * rng.uniform(20, 70), 0, 255).astype(
            np.uint8
        )
        out = _blur(out, rng, rng.uniform(0.3, 0.9), False)
        out = _noise(out, rng, rng.uniform(2, 6))
        q = int(rng.integers(60, 92))
        p.update(lp, jpeg_quality=q)
        return out, p, "jpg"
    # phone photos of paper: photo, curled, crumpled
    page = _paper(img, rng, rng.uniform(0.9, 1.0))
    h, w = page.shape[:2]
    shade = np.ones((h, w), np.float32)
    if kind == "curled" or (kind == "photo" and rng.random() < 0.4):
        amount = rng.uniform(0.004, 0.012) if kind == "photo" else rng.uniform(0.008, 0.025)
        curl = rng.uniform(0.03, 0.08) if kind == "curled" else 0.0
        page, shade = bend(page, rng, amount, curl)
        p.update(bend=round(amount, 4), curl=round(curl, 3))
    if kind == "crumpled":
        n, depth = int(rng.integers(6, 18)), rng.uniform(0.15, 0.4)
        page, shade = crumple(page, rng, n, depth)
        p.update(creases=n, crease_depth=round(depth, 3))
    page = _gain(page, shade)
    canvas, corners = _on_desk(page, rng, rng.uniform(0.04, 0.12))
    jitter = rng.uniform(0.01, 0.06)
    out = _perspective(canvas, corners, rng, jitter, rng.uniform(0.0, 0.04))
    h, w = out.shape[:2]
    gain, lp = _light(rng, h, w, rng.uniform(0.1, 0.5), rng.random() < 0.5)
    cast = np.array([rng.uniform(0.9, 1.05), 1.0, rng.uniform(0.85, 1.05)], np.float32)
    out = _gain(out, gain[:, :, None] * cast[None, None, :])
    # camera resolution: a phone photo of a page shows text 12 to 30 px high (a closer or farther shot)
    s = max(min_scale, min(3.0, rng.uniform(12.0, 30.0) / max(1.0, font_px)))
    if max(h, w) * s > MAX_SIDE:
        s = MAX_SIDE / max(h, w)
    if abs(s - 1.0) > 0.001:
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
        out = cv2.resize(out, (max(1, int(w * s)), max(1, int(h * s))), interpolation=interp)
    motion = rng.random() < 0.2
    sig = rng.uniform(0.3, 1.2)
    out = _blur(out, rng, sig, motion)
    n = rng.uniform(1.5, 6)
    out = _noise(out, rng, n)
    q = int(rng.integers(55, 92))
    p.update(
        lp,
        perspective_jitter=round(jitter, 3),
        scale=round(s, 3),
        blur_sigma=round(sig, 2),
        motion_blur=motion,
        noise_sigma=round(n, 1),
        jpeg_quality=q,
    )
    return out, p, "jpg"
