"""A generated page as HTML: one or more tables with the text around them (title, paragraph, notes).

``page_html`` is what Chromium renders; ``gt_html`` is the PubTabNet-style ground truth of the same tables
(text around the tables is not part of any table).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from bench.gen.content import Rng, TableSpec
from bench.gen.style import Style, css
from bench.gen.vocab import VOCAB


@dataclass
class Block:
    """One table and the words printed with it."""

    table: TableSpec
    caption: str = ""
    note: str = ""
    group_starts: set[int] = field(default_factory=set)  # columns with a heavy rule on their left (colgroups)


@dataclass
class Page:
    """Everything on one rendered page."""

    blocks: list[Block]
    layout: str  # single, stacked, side_by_side
    style: Style
    title: str = ""
    paragraph: str = ""
    margin: int = 16
    gap: int = 32

    @property
    def has_extra_text(self) -> bool:
        return bool(self.title or self.paragraph or any(b.caption or b.note for b in self.blocks))


def column_groups(rng: Rng, t: TableSpec) -> set[int]:
    """Where heavy rules go in the colgroups style: the header's group boundaries, else a few random ones."""
    top = sorted((c for c in t.cells if c.row == 0), key=lambda c: c.col)
    if any(c.colspan > 1 for c in top):
        return {c.col for c in top if c.col > 0}
    cuts = (
        rng.sample(list(range(1, t.n_cols)), rng.int(1, max(1, min(3, t.n_cols - 1)))) if t.n_cols > 1 else []
    )
    return set(cuts) | ({1} if t.n_cols > 2 and rng.chance(0.6) else set())


def make_page(rng: Rng, tables: list[TableSpec], style: Style, layout: str, lang: str, margin: int) -> Page:
    v = VOCAB[lang]
    text_around = rng.chance(0.6)
    blocks = []
    for t in tables:
        blocks.append(
            Block(
                t,
                caption=rng.pick(v["titles"]) if (len(tables) > 1 and rng.chance(0.7)) else "",
                note=rng.pick(v["notes"]) if (text_around and rng.chance(0.5)) else "",
                group_starts=column_groups(rng, t),
            )
        )
    return Page(
        blocks=blocks,
        layout=layout,
        style=style,
        title=rng.pick(v["titles"]) if text_around and rng.chance(0.8) else "",
        paragraph=" ".join(rng.sample(v["sentences"], rng.int(1, 2)))
        if text_around and rng.chance(0.6)
        else "",
        margin=margin,
        gap=rng.int(24, 64),
    )


def _table_html(b: Block, style: Style) -> str:
    t = b.table
    rows: list[list[str]] = [[] for _ in range(t.n_rows)]
    for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
        cls = []
        if c.kind in ("num", "long", "section"):
            cls.append(c.kind)
        if c.kind == "total" and c.numeric:
            cls.append("num")
        if c.highlight and style.fill == "highlight":
            cls.append("hl")
        if style.rules == "colgroups" and c.col in b.group_starts:
            cls.append("gb")
        attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
            f' colspan="{c.colspan}"' if c.colspan > 1 else ""
        )
        if cls:
            attrs += f' class="{" ".join(cls)}"'
        rows[c.row].append(f"<td{attrs}>{html.escape(c.text)}</td>")
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: t.n_header_rows])
    total = ' class="total"'
    body = "".join(
        f"<tr{total if i == t.totals_row else ''}>{''.join(r)}</tr>"
        for i, r in enumerate(rows)
        if i >= t.n_header_rows
    )
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


def page_html(p: Page) -> str:
    """The HTML Chromium renders; ``#page`` is the element photographed."""
    blocks = []
    for b in p.blocks:
        cap = f'<div class="title">{html.escape(b.caption)}</div>' if b.caption else ""
        note = f'<div class="note">{html.escape(b.note)}</div>' if b.note else ""
        blocks.append(f'<div class="block">{cap}{_table_html(b, p.style)}{note}</div>')
    if p.layout == "side_by_side":
        body = f'<div style="display:flex;gap:{p.gap}px;align-items:flex-start">{"".join(blocks)}</div>'
    else:
        body = "".join(blocks)
    head = (f'<div class="title">{html.escape(p.title)}</div>' if p.title else "") + (
        f'<div class="para">{html.escape(p.paragraph)}</div>' if p.paragraph else ""
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        + css(p.style)
        + f"</style></head><body><div id='page' style='display:inline-block;padding:{p.margin}px'>"
        + head
        + body
        + "</div></body></html>"
    )


def gt_html(tables: list[TableSpec]) -> str:
    """Ground truth as PubTabNet-style HTML, one ``<table>`` per table (same form as ../shared/bench)."""
    out = []
    for t in tables:
        rows: list[list[str]] = [[] for _ in range(t.n_rows)]
        for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
            attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            )
            rows[c.row].append(f"<td{attrs}>{html.escape(c.text, quote=False)}</td>")
        head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: t.n_header_rows])
        body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[t.n_header_rows :])
        out.append(f"<table><thead>{head}</thead><tbody>{body}</tbody></table>")
    return "<html><body>" + "".join(out) + "</body></html>"
