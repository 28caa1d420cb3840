"""How a generated page looks: rule style, fills, font, sizes, colours, turned into CSS.

Rule styles (``RULES``): grid, hrules (rules between rows only), header_rule (heavy header rule over light
body rules), vrules (column rules only), colgroups (heavy rules between groups of columns, nothing else),
none, boxed (every cell its own box). Fills (``FILLS``) use any hue and lightness.
"""

from __future__ import annotations

import colorsys
import subprocess
from dataclasses import dataclass, field

from bench.gen.content import Rng

RULES = ("grid", "hrules", "header_rule", "vrules", "colgroups", "none", "boxed")
FILLS = ("none", "header_light", "header_dark", "zebra", "header_dark_zebra", "highlight")

# family -> class; every family is in a Debian package (see ``FONT_PACKAGES``)
FONTS: dict[str, str] = {
    "Noto Sans": "sans",
    "Lato": "sans",
    "Cantarell": "sans",
    "Roboto": "sans",
    "Open Sans": "sans",
    "Liberation Sans": "sans",
    "FreeSans": "sans",
    "DejaVu Sans": "sans",
    "Carlito": "sans",
    "Go": "sans",
    "Noto Serif": "serif",
    "EB Garamond": "serif",
    "Linux Libertine O": "serif",
    "Caladea": "serif",
    "Liberation Serif": "serif",
    "FreeSerif": "serif",
    "Charis SIL": "serif",
    "DejaVu Serif": "serif",
    "JetBrains Mono": "mono",
    "Inconsolata": "mono",
    "Courier Prime": "mono",
    "Go Mono": "mono",
    "Noto Mono": "mono",
    "Liberation Mono": "mono",
    "FreeMono": "mono",
    "DejaVu Sans Mono": "mono",
    "Liberation Sans Narrow": "condensed",
    "Roboto Condensed": "condensed",
    "DejaVu Sans Condensed": "condensed",
    "Open Sans Condensed": "condensed",
}
FONT_PACKAGES = [
    "fonts-dejavu-core", "fonts-dejavu-extra", "fonts-liberation", "fonts-liberation2",
    "fonts-crosextra-carlito", "fonts-crosextra-caladea", "fonts-open-sans", "fonts-roboto-unhinted",
    "fonts-lato", "fonts-ebgaramond", "fonts-inconsolata", "fonts-go", "fonts-cantarell",
    "fonts-courier-prime",
    "fonts-linuxlibertine", "fonts-freefont-ttf", "fonts-noto-core", "fonts-noto-mono", "fonts-sil-charis",
    "fonts-jetbrains-mono", "fonts-humor-sans", "fonts-dkg-handwriting",
]  # fmt: skip
# fonts without Vietnamese glyphs fall back glyph by glyph in Chromium: keep them off Vietnamese pages
NO_VIETNAMESE = {
    "Caladea", "Carlito", "Courier Prime", "DejaVu Sans Mono", "Go", "Go Mono", "Inconsolata",
    "Liberation Sans Narrow", "Noto Mono", "Open Sans", "Open Sans Condensed",
}  # fmt: skip


def installed_families() -> set[str]:
    """Font families fontconfig knows (every name of every face)."""
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {name.strip() for line in out.splitlines() for name in line.split(",")}


def missing_fonts() -> list[str]:
    have = installed_families()
    return sorted(f for f in FONTS if f not in have)


def hsl(h: float, s: float, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, lightness, s)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


@dataclass
class Style:
    """Everything visual about one page (all tables on a page share it, as in a real document)."""

    rules: str
    fill: str
    font_family: str
    font_class: str
    font_px: int
    pad_x: int
    pad_y: int
    rule_px: int
    heavy_px: int
    rule_color: str
    text_color: str
    page_bg: str
    header_bg: str | None
    header_fg: str | None
    zebra_bg: str | None
    highlight_bg: str
    header_bold: bool
    total_bold: bool
    total_rule: bool
    outer_box: bool
    long_width_ch: int
    header_align: str
    extra: dict[str, str] = field(default_factory=dict)

    def tags(self) -> dict[str, object]:
        return {
            "style": self.rules,
            "fill": self.fill,
            "font_family": self.font_family,
            "font_class": self.font_class,
            "font_px": self.font_px,
            "header_bg": self.header_bg,
        }


def draw_style(rng: Rng, lang: str, rules: str | None = None, fill: str | None = None) -> Style:
    """A random page style; ``rules``/``fill`` force one (the split driver balances them)."""
    rules = rules or rng.pick(RULES)
    fill = fill or rng.pick_w(
        {"none": 3, "header_light": 2, "header_dark": 2, "zebra": 2, "header_dark_zebra": 1, "highlight": 1}
    )
    fonts = [f for f in FONTS if not (lang == "vie" and f in NO_VIETNAMESE)]
    cls = rng.pick_w({"sans": 4, "serif": 3, "mono": 2, "condensed": 1.5})
    family = rng.pick([f for f in fonts if FONTS[f] == cls])
    size_band = rng.pick_w({(8, 9): 0.12, (10, 12): 0.35, (13, 16): 0.38, (17, 22): 0.15})
    font_px = rng.int(*size_band)
    hue = rng.uniform(0, 1)
    dark_text = rng.pick(["#000000", "#111111", "#222222", "#333333", hsl(hue, 0.4, 0.15)])
    header_bg = header_fg = zebra_bg = None
    if fill in ("header_dark", "header_dark_zebra"):
        header_bg = hsl(hue, rng.uniform(0.2, 0.8), rng.uniform(0.15, 0.42))
        header_fg = rng.pick(["#ffffff", "#f5f5f5", hsl(hue, 0.3, 0.95)])
    elif fill == "header_light":
        header_bg = hsl(hue, rng.uniform(0.0, 0.7), rng.uniform(0.78, 0.94))
    if fill in ("zebra", "header_dark_zebra"):
        zebra_bg = hsl(
            rng.uniform(0, 1) if rng.chance(0.5) else hue, rng.uniform(0.1, 0.7), rng.uniform(0.88, 0.97)
        )
    page_bg = (
        "#ffffff" if rng.chance(0.7) else hsl(rng.uniform(0, 1), rng.uniform(0, 0.3), rng.uniform(0.95, 0.99))
    )
    return Style(
        rules=rules,
        fill=fill,
        font_family=family,
        font_class=cls,
        font_px=font_px,
        pad_x=rng.int(3, 14),
        pad_y=rng.int(1, 8),
        rule_px=rng.pick([1, 1, 1, 2]),
        heavy_px=rng.int(2, 4),
        rule_color=rng.pick(["#000000", "#333333", "#666666", "#999999", "#bbbbbb", hsl(hue, 0.5, 0.4)]),
        text_color=dark_text,
        page_bg=page_bg,
        header_bg=header_bg,
        header_fg=header_fg,
        zebra_bg=zebra_bg,
        highlight_bg=hsl(rng.uniform(0, 1), rng.uniform(0.5, 1.0), rng.uniform(0.72, 0.9)),
        header_bold=rng.chance(0.7),
        total_bold=rng.chance(0.6),
        total_rule=rng.chance(0.5),
        outer_box=rng.chance(0.5),
        long_width_ch=rng.int(14, 30),
        header_align=rng.pick(["left", "center"]),
    )


def css(s: Style) -> str:
    """The stylesheet of a page drawn in style ``s`` (cells: td; classes set by ``bench.gen.page``)."""
    rule = f"{s.rule_px}px solid {s.rule_color}"
    heavy = f"{s.heavy_px}px solid {s.rule_color}"
    bold = "font-weight:bold;"
    out = [
        f"body{{margin:0;background:{s.page_bg};color:{s.text_color};font-family:'{s.font_family}';"
        f"font-size:{s.font_px}px;line-height:1.3}}",
        "table{border-collapse:collapse;margin:0}",
        f"td{{padding:{s.pad_y}px {s.pad_x}px;white-space:nowrap;vertical-align:middle;text-align:left}}",
        "td.num{text-align:right}",
        f"td.long{{white-space:normal;max-width:{s.long_width_ch}ch;min-width:{s.long_width_ch // 2}ch}}",
        f"thead td{{text-align:{s.header_align};white-space:normal;{bold if s.header_bold else ''}}}",
        "td.section{font-weight:bold;font-style:italic}",
        f"tr.total td{{{'font-weight:bold;' if s.total_bold else ''}}}",
        f"td.hl{{background:{s.highlight_bg}}}",
        ".title{font-weight:bold;font-size:1.25em;margin:0 0 0.5em 0}",
        ".para{max-width:60ch;margin:0 0 0.8em 0;white-space:normal}",
        ".note{font-size:0.85em;margin:0.5em 0 0 0}",
        ".block{margin:0 0 1.6em 0}",
    ]
    if s.header_bg:
        out.append(f"thead td{{background:{s.header_bg};{f'color:{s.header_fg}' if s.header_fg else ''}}}")
    if s.zebra_bg:
        out.append(f"tbody tr:nth-child(even) td{{background:{s.zebra_bg}}}")
    r = s.rules
    if r == "grid":
        out.append(f"td{{border:{rule}}}")
    elif r == "hrules":
        out.append(f"tbody td{{border-top:{rule}}} thead tr:first-child td{{border-top:{rule}}}")
        out.append(f"table{{border-bottom:{rule}}}")
    elif r == "header_rule":
        out.append(f"table{{border-top:{heavy};border-bottom:{heavy}}}")
        out.append(f"thead tr:last-child td, thead td[rowspan]{{border-bottom:{heavy}}}")
        out.append(f"tbody tr + tr td{{border-top:1px solid {s.rule_color}80}}")
    elif r == "vrules":
        out.append(f"td{{border-left:{rule};border-right:{rule}}}")
        if s.outer_box:
            out.append(f"table{{border:{rule}}}")
    elif r == "colgroups":
        out.append(f"td.gb{{border-left:{heavy}}}")
    elif r == "boxed":
        out.append(f"table{{border-collapse:separate;border-spacing:{max(2, s.pad_x // 3)}px}}")
        out.append(f"td{{border:{rule};border-radius:{s.extra.get('radius', '2')}px}}")
    if s.total_rule and r not in ("grid", "boxed"):
        out.append(f"tr.total td{{border-top:{rule};border-bottom:3px double {s.rule_color}}}")
    if r == "none" and s.outer_box and s.fill == "none":
        out.append(f"table{{border:{rule}}}")
    return "\n".join(out)
