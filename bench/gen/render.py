"""Render generated pages in the system Chromium (Playwright; one browser for a whole batch).

Chromium is ``/usr/bin/chromium`` (Debian package ``chromium``; ``$IMG2XLSX_CHROMIUM`` overrides);
Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
    "--disable-lcd-text",
]


def chromium_path() -> Path:
    """The Chromium binary to drive, or FileNotFoundError saying how to install it."""
    for cand in (os.environ.get("IMG2XLSX_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if cand and Path(cand).exists():
            return Path(cand)
    raise FileNotFoundError("Chromium not found: apt-get install chromium (or set IMG2XLSX_CHROMIUM)")


def chromium_version() -> str:
    try:
        out = subprocess.run([str(chromium_path()), "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@dataclass
class Shot:
    """A rendered page: PNG bytes and where its tables (and their rows) are, in image pixels."""

    png: bytes
    width: int
    height: int
    tables: list[tuple[float, float, float, float]]  # x0, y0, x1, y1
    rows: list[list[tuple[float, float, float, float]]]
    texts: list[list[str]]  # every cell's text as the browser laid it out, document order


_GEOMETRY_JS = """
() => {
  const page = document.getElementById('page').getBoundingClientRect();
  const box = (r) => [r.left - page.left, r.top - page.top, r.right - page.left, r.bottom - page.top];
  const tables = [...document.querySelectorAll('#page table')];
  return {
    page: [page.width, page.height],
    tables: tables.map((t) => box(t.getBoundingClientRect())),
    rows: tables.map((t) => [...t.querySelectorAll('tr')].map((r) => box(r.getBoundingClientRect()))),
    texts: tables.map((t) => [...t.querySelectorAll('td')].map((td) => td.innerText)),
  };
}
"""


class Renderer:
    """One headless Chromium; ``render(html, dpr)`` screenshots the page's ``#page`` element."""

    def __init__(self) -> None:
        self._pw: Any = None
        self._browser: Any = None
        self._pages: dict[float, Any] = {}

    def __enter__(self) -> Renderer:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_FLAGS)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()

    def _page(self, dpr: float) -> Any:
        if dpr not in self._pages:
            ctx = self._browser.new_context(viewport={"width": 2400, "height": 1200}, device_scale_factor=dpr)
            self._pages[dpr] = ctx.new_page()
        return self._pages[dpr]

    def render(self, html: str, dpr: float = 1.0) -> Shot:
        page = self._page(dpr)
        page.set_content(html, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        geo = page.evaluate(_GEOMETRY_JS)
        png = page.locator("#page").screenshot(type="png", animations="disabled", caret="hide")
        import io

        from PIL import Image

        with Image.open(io.BytesIO(png)) as im:
            w, h = im.size
        sx = w / max(1.0, geo["page"][0])
        sy = h / max(1.0, geo["page"][1])

        def scale(b: list[float]) -> tuple[float, float, float, float]:
            return (b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy)

        return Shot(
            png=png,
            width=w,
            height=h,
            tables=[scale(b) for b in geo["tables"]],
            rows=[[scale(b) for b in rows] for rows in geo["rows"]],
            texts=geo["texts"],
        )
