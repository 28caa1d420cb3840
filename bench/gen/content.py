"""What a generated table says: its grid, merges, header rows, totals and cell texts with their true values.

A table is built column by column from a theme (financial, inventory, sales, census, ...); numbers are drawn
as values first and formatted by ``bench.gen.locales``, so the ground truth's ``value`` is exact and a totals
row's value is the sum of the values printed above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.gen.locales import LOCALES, format_currency, format_date, format_number, format_percent
from bench.gen.vocab import VOCAB

THEMES = ("financial", "inventory", "schedule", "people", "sales", "census", "budget")


class Rng:
    """A seeded numpy Generator with the few draws the generator needs, named for readability."""

    def __init__(self, seed: Any) -> None:
        self.g = np.random.default_rng(seed)

    def pick(self, seq: Any) -> Any:
        return seq[int(self.g.integers(len(seq)))]

    def pick_w(self, options: dict[Any, float]) -> Any:
        keys = list(options)
        p = np.array([options[k] for k in keys], dtype=float)
        return keys[int(self.g.choice(len(keys), p=p / p.sum()))]

    def sample(self, seq: Any, k: int) -> list[Any]:
        idx = self.g.choice(len(seq), size=min(k, len(seq)), replace=False)
        return [seq[int(i)] for i in idx]

    def int(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi] (both included)."""
        return int(self.g.integers(lo, hi + 1))

    def uniform(self, lo: float, hi: float) -> float:
        return float(self.g.uniform(lo, hi))

    def chance(self, p: float) -> bool:
        return bool(self.g.random() < p)


@dataclass
class Cell:
    """One ground-truth cell plus how to draw it (``kind``: text, num, long, section; ``highlight``)."""

    row: int
    col: int
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    numeric: bool = False
    value: float | None = None
    percent: bool = False
    header: bool = False
    date: str | None = None
    kind: str = "text"
    highlight: bool = False

    def gt(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "row": self.row,
            "col": self.col,
            "rowspan": self.rowspan,
            "colspan": self.colspan,
            "text": self.text,
            "numeric": self.numeric,
        }
        if self.numeric:
            out["value"] = self.value
            if self.percent:
                out["percent"] = True
        if self.header:
            out["header"] = True
        if self.date:
            out["date"] = self.date
        return out


@dataclass
class TableSpec:
    """A generated table: its grid and cells, what it is about, and which structural features it has."""

    n_rows: int
    n_cols: int
    n_header_rows: int
    cells: list[Cell]
    theme: str
    lang: str
    totals_row: int | None = None
    col_kinds: list[str] = field(default_factory=list)

    def gt(self) -> dict[str, Any]:
        cells = sorted(self.cells, key=lambda c: (c.row, c.col))
        return {
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "n_header_rows": self.n_header_rows,
            "cells": [c.gt() for c in cells],
        }

    @property
    def has_colspan(self) -> bool:
        return any(c.colspan > 1 for c in self.cells)

    @property
    def has_rowspan(self) -> bool:
        return any(c.rowspan > 1 for c in self.cells)

    @property
    def has_wrapped(self) -> bool:
        return any(c.kind == "long" for c in self.cells)


@dataclass
class NumStyle:
    """How one table writes its numbers: thousands separator, negatives, currency symbol, date style."""

    group: str
    negative: str
    currency: tuple[str, bool, bool]
    date_style: str
    money_decimals: int


def num_style(rng: Rng, lang: str) -> NumStyle:
    loc = LOCALES[lang]
    group = loc.groups[0] if rng.chance(0.75) else rng.pick([*loc.groups, ""])
    return NumStyle(
        group=group,
        negative=rng.pick_w({"minus": 0.55, "parens": 0.35, "unicode": 0.1}),
        currency=rng.pick(loc.currencies),
        date_style=rng.pick(loc.date_orders),
        money_decimals=0 if lang == "vie" and rng.chance(0.7) else rng.pick([2, 2, 0]),
    )


@dataclass
class Column:
    """A column of the body: header text and how to make each body cell's value/text."""

    key: str
    header: str
    kind: str  # label, code, text, long, int, money, dec, pct, date, time
    decimals: int = 0
    magnitude: float = 1000.0
    negatives: bool = False
    summable: bool = False
    group: str | None = None  # header group label (a colspan cell above)
    show_symbol: bool | None = None  # money: currency symbol on every cell of the column (drawn once)


class Builder:
    """Makes one table of a theme in a language."""

    def __init__(self, rng: Rng, lang: str) -> None:
        self.rng = rng
        self.lang = lang
        self.v = VOCAB[lang]
        self.h: dict[str, str] = self.v["h"]
        self.ns = num_style(rng, lang)

    # --- values -------------------------------------------------------------------------------------------
    def number_cell(self, col: Column, value: float) -> dict[str, Any]:
        value = round(value, col.decimals)
        if col.kind == "pct":
            frac = round(value / 100.0, col.decimals + 2)
            text = format_percent(
                frac, self.lang, col.decimals, group=self.ns.group, negative=self.ns.negative
            )
            return {"text": text, "numeric": True, "value": frac, "percent": True, "kind": "num"}
        if col.kind == "money":
            sym, before, space = self.ns.currency
            if col.show_symbol is None:
                col.show_symbol = self.rng.chance(0.5)
            if col.show_symbol:
                text = format_currency(
                    value,
                    self.lang,
                    col.decimals,
                    sym,
                    before,
                    space,
                    group=self.ns.group,
                    negative=self.ns.negative,
                )
            else:
                text = format_number(
                    value, self.lang, col.decimals, group=self.ns.group, negative=self.ns.negative
                )
        else:
            text = format_number(
                value, self.lang, col.decimals, group=self.ns.group, negative=self.ns.negative
            )
        return {"text": text, "numeric": True, "value": float(value), "kind": "num"}

    def draw_value(self, col: Column) -> float:
        mag = col.magnitude * 10 ** self.rng.uniform(-0.7, 0.3)
        v = self.rng.uniform(0.05, 1.0) * mag
        if col.negatives and self.rng.chance(0.25):
            v = -v
        return round(v, col.decimals)

    def text_cell(self, col: Column, r: int) -> dict[str, Any]:
        v, rng = self.v, self.rng
        k = col.kind
        if k == "code":
            a = "".join(rng.pick("ABCDEFGHKLMNPRSTUVWXZ") for _ in range(rng.int(2, 3)))
            n = rng.int(100, 99999)
            text = rng.pick(
                [f"{a}-{n}", f"{a}-{n}-{rng.pick('XYZABC')}", f"{a}{n}", f"P/N {n}-{rng.int(10, 99)}"]
            )
            return {"text": text}
        if k == "date":
            day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.int(0, 4000))
            return {"text": format_date(day, self.lang, self.ns.date_style), "date": day.isoformat()}
        if k == "time":
            h, m = rng.int(7, 19), rng.pick([0, 15, 30, 45])
            return {
                "text": f"{h:02d}:{m:02d}"
                if self.lang != "eng" or rng.chance(0.5)
                else f"{h % 12 or 12}:{m:02d} {'am' if h < 12 else 'pm'}"
            }
        if k == "long":
            two = rng.sample(v["remarks"], 2)
            text = two[0] + (". " + two[1] if rng.chance(0.3) else "")
            return {"text": text, "kind": "long"}
        if k == "name":
            return {
                "text": f"{rng.pick(v['last'])} {rng.pick(v['first'])}"
                if self.lang == "vie"
                else f"{rng.pick(v['first'])} {rng.pick(v['last'])}"
            }
        pool = {
            "label": "items",
            "text": "status",
            "supplier": "suppliers",
            "dept": "departments",
            "place": "places",
            "event": "events",
            "region": "regions",
            "area": "areas",
            "account": "accounts",
            "city": "areas",
        }[k]
        items = v[pool]
        return {"text": items[r % len(items)] if k in ("region", "area", "account") else rng.pick(items)}

    # --- tables ---------------------------------------------------------------------------------------------
    def columns(self, theme: str) -> tuple[list[Column], str | None]:
        """Body columns of a theme and the header-group label they may share (for a two-row header)."""
        h, rng = self.h, self.rng
        years = sorted(rng.sample(list(range(2014, 2026)), rng.int(2, 5)), reverse=rng.chance(0.7))
        if theme == "financial":
            kind = rng.pick(["money", "int"])
            dec = self.ns.money_decimals if kind == "money" else 0
            cols = [Column("account", h["account"], "account")]
            mag = 10 ** rng.int(3, 6)
            cols += [Column(f"y{y}", h["fy"].format(y=y), kind, dec, mag, True, True, "years") for y in years]
            if rng.chance(0.5):
                cols.append(Column("chg", h["change"], "pct", rng.int(0, 1), 40, True))
            return cols, h["year_group"]
        if theme == "inventory":
            cols = []
            if rng.chance(0.4):
                cols.append(Column("no", h["no"], "rowno"))
            cols.append(Column("code", h["code"], "code"))
            cols.append(Column("item", h["description"], "label"))
            if rng.chance(0.4):
                cols.append(Column("sup", h["supplier"], "supplier"))
            cols.append(Column("qty", h["qty"], "int", 0, 500, False, True))
            cols.append(Column("unit", h["unit"], "money", self.ns.money_decimals or 2, 300))
            cols.append(Column("amount", h["amount"], "money", self.ns.money_decimals or 2, 0, False, True))
            if rng.chance(0.35):
                cols.append(Column("rem", h["remarks"], "long"))
            return cols, None
        if theme == "schedule":
            cols = [
                Column("date", h["date"], "date"),
                Column("time", h["time"], "time"),
                Column("event", h["event"], "event"),
                Column("place", h["place"], "place"),
            ]
            if rng.chance(0.5):
                cols.append(Column("status", h["status"], "text"))
            if rng.chance(0.5):
                cols.append(Column("rem", h["remarks"], "long"))
            return cols, None
        if theme == "people":
            cols = [Column("no", h["no"], "rowno")] if rng.chance(0.5) else []
            cols += [
                Column("name", h["name"], "name"),
                Column("dept", h["department"], "dept"),
                Column("city", h["city"], "city"),
                Column("start", h["start"], "date"),
            ]
            if rng.chance(0.7):
                cols.append(
                    Column(
                        "salary",
                        h["salary"],
                        "money",
                        self.ns.money_decimals,
                        10 ** rng.int(4, 5),
                        False,
                        True,
                    )
                )
            return cols, None
        if theme == "sales":
            n_q = rng.pick([2, 3, 4])
            yr = years[0]
            cols = [Column("region", h["region"], "region")]
            mag = 10 ** rng.int(2, 5)
            cols += [
                Column(f"q{q}", h["quarter"].format(n=q), "int", 0, mag, False, True, "q")
                for q in range(1, n_q + 1)
            ]
            cols.append(Column("rowtotal", h["total"], "int", 0, 0, False, True))
            if rng.chance(0.4):
                cols.append(Column("share", h["share"], "pct", rng.int(0, 2), 0))
            return cols, h["fy"].format(y=yr)
        if theme == "census":
            cols = [
                Column("area", h["area"], "area"),
                Column("pop", h["total"], "int", 0, 10 ** rng.int(4, 6), False, True, "population"),
                Column("male", h["male"], "int", 0, 0, False, True, "population"),
                Column("female", h["female"], "int", 0, 0, False, True, "population"),
            ]
            if rng.chance(0.6):
                cols += [
                    Column("hh", h["total"], "int", 0, 0, False, True, "households"),
                    Column("avg", h["avg_size"], "dec", 2, 3.5, False, False, "households"),
                ]
            cols.append(Column("km2", h["km2"], "dec", 1, 10 ** rng.int(1, 3), False, True))
            if rng.chance(0.5):
                cols.append(Column("dens", h["density"], "dec", 1, 0))
            return cols, None
        # budget
        kind = rng.pick(["money", "int"])
        dec = self.ns.money_decimals if kind == "money" else 0
        cols = [
            Column("account", h["account"], "account"),
            Column("budget", h["budget"], kind, dec, 10 ** rng.int(3, 6), False, True),
            Column("actual", h["actual"], kind, dec, 0, False, True),
            Column("var", h["variance"], kind, dec, 0, True, True),
        ]
        if rng.chance(0.6):
            cols.append(Column("varpct", h["variance"] + " %", "pct", 1, 0, True))
        return cols, None

    def body_row(self, cols: list[Column], r: int, first_value: dict[str, float]) -> list[dict[str, Any]]:
        """One body row; derived columns (amount = qty * price, totals, shares, variance) computed here."""
        vals: dict[str, float] = {}
        out: list[dict[str, Any]] = []
        for col in cols:
            if col.kind == "rowno":
                out.append({"text": f"{r + 1}" + ("." if self.rng.chance(0.2) else ""), "kind": "text"})
                continue
            if col.kind in ("int", "money", "dec", "pct"):
                key = col.key
                if key == "amount":
                    v = round(vals["qty"] * vals["unit"], col.decimals)
                elif key == "rowtotal":
                    v = sum(x for k, x in vals.items() if k.startswith("q"))
                elif key == "share" or key == "varpct":
                    base = vals.get("rowtotal") or vals.get("budget") or 1.0
                    num = vals.get("var", base * self.rng.uniform(0.05, 0.4))
                    v = round(100.0 * num / base, col.decimals) if base else 0.0
                elif key in ("male",):
                    v = round(vals["pop"] * self.rng.uniform(0.46, 0.53))
                elif key == "female":
                    v = vals["pop"] - vals["male"]
                elif key == "hh":
                    v = round(vals["pop"] / self.rng.uniform(2.1, 3.4))
                elif key == "avg":
                    v = round(vals["pop"] / vals["hh"], 2)
                elif key == "dens":
                    v = round(vals["pop"] / vals["km2"], 1) if vals["km2"] else 0.0
                elif key == "actual":
                    v = round(vals["budget"] * self.rng.uniform(0.7, 1.3), col.decimals)
                elif key == "var":
                    v = round(vals["actual"] - vals["budget"], col.decimals)
                elif key == "chg":
                    a, b = first_value.get("_cur", 0.0), first_value.get("_prev", 0.0)
                    v = (
                        round(100.0 * (a - b) / abs(b), col.decimals)
                        if b
                        else round(self.rng.uniform(-30, 30), col.decimals)
                    )
                elif key[0] in "yq" and "_base" in first_value:  # periods of one row move together
                    v = round(first_value["_base"] * self.rng.uniform(0.75, 1.3), col.decimals)
                else:
                    v = self.draw_value(col)
                    if key[0] in "yq":
                        first_value["_base"] = v
                vals[key] = v
                if col.key.startswith("y"):
                    first_value.setdefault("_n", 0)
                    if first_value["_n"] == 0:
                        first_value["_cur"] = v
                    elif first_value["_n"] == 1:
                        first_value["_prev"] = v
                    first_value["_n"] += 1
                out.append(self.number_cell(col, v))
            else:
                out.append(self.text_cell(col, r))
        first_value.clear()
        return out

    def build(self, theme: str) -> TableSpec:
        rng, h = self.rng, self.h
        cols, group_label = self.columns(theme)
        n_body = rng.pick_w({rng.int(3, 6): 0.35, rng.int(7, 14): 0.45, rng.int(15, 28): 0.2})
        body = [self.body_row(cols, r, {}) for r in range(n_body)]
        n_cols = len(cols)

        # header: one row, or two rows with a group label spanning its columns
        groups = [c.group for c in cols]
        two_rows = any(groups) and rng.chance(0.6 if theme in ("census", "sales", "financial") else 0.0)
        cells: list[Cell] = []
        if two_rows:
            c = 0
            while c < n_cols:
                g = groups[c]
                if g is None:
                    cells.append(Cell(0, c, cols[c].header, rowspan=2, header=True))
                    c += 1
                    continue
                span = 1
                while c + span < n_cols and groups[c + span] == g:
                    span += 1
                label = {
                    "years": group_label,
                    "q": group_label,
                    "population": h["population"],
                    "households": h["households"],
                }.get(g, g) or ""
                cells.append(Cell(0, c, label, colspan=span, header=True))
                for k in range(span):
                    cells.append(Cell(1, c + k, cols[c + k].header, header=True))
                c += span
            n_header = 2
        else:
            for c, col in enumerate(cols):
                text = col.header
                if c == 0 and col.kind in ("account", "region") and rng.chance(0.25):
                    text = ""  # financial statements often leave the stub header empty
                cells.append(Cell(0, c, text, header=True))
            n_header = 1

        # body with optional row-group merges (first column groups rows) and section rows
        row = n_header
        group_pool = {
            "financial": "groups",
            "budget": "groups",
            "inventory": "suppliers",
            "schedule": "places",
        }
        rowspan_first = theme in group_pool and rng.chance(0.3) and n_body >= 4
        section_rows = theme in ("financial", "budget", "census") and not rowspan_first and rng.chance(0.25)
        if rowspan_first:
            # a leading group column whose cells span runs of rows
            pool = self.v[group_pool[theme]]
            top = {"groups": "", "suppliers": h["supplier"], "places": h["place"]}[group_pool[theme]]
            cells = [Cell(c.row, c.col + 1, c.text, c.rowspan, c.colspan, header=True) for c in cells]
            cells.append(Cell(0, 0, top, rowspan=n_header, header=True))
            n_cols += 1
            r = 0
            gi = 0
            while r < n_body:
                run = min(n_body - r, rng.int(1, 4))
                gtxt = pool[gi % len(pool)]
                cells.append(Cell(row + r, 0, gtxt, rowspan=run))
                for rr in range(r, r + run):
                    for c, d in enumerate(body[rr]):
                        cells.append(self._cell(row + rr, c + 1, d, rng))
                r += run
                gi += 1
            row += n_body
        else:
            gi = 0
            for r in range(n_body):
                if section_rows and (r == 0 or rng.chance(0.2)) and r < n_body - 1:
                    cells.append(
                        Cell(
                            row,
                            0,
                            self.v["groups"][gi % len(self.v["groups"])],
                            colspan=n_cols,
                            kind="section",
                        )
                    )
                    gi += 1
                    row += 1
                for c, d in enumerate(body[r]):
                    cells.append(self._cell(row, c, d, rng))
                row += 1

        # totals row: the sum of every summable column above it
        totals_row = None
        summable = [c for c in cols if c.summable]
        if summable and rng.chance(0.55):
            totals_row = row
            off = 1 if rowspan_first else 0
            word = rng.pick(LOCALES[self.lang].total_words)
            first_num = next(i for i, c in enumerate(cols) if c.kind in ("int", "money", "dec", "pct"))
            label_span = first_num + off if (first_num > 1 and rng.chance(0.6)) else 1
            cells.append(Cell(row, 0, word, colspan=label_span, kind="total"))
            for c in range(label_span, n_cols):
                col = cols[c - off]
                if col.summable and col.kind in ("int", "money", "dec"):
                    total = round(
                        sum(
                            x.value
                            for x in cells
                            if x.col == c
                            and x.numeric
                            and x.value is not None
                            and not x.header
                            and x.row < row
                        ),
                        col.decimals,
                    )
                    d = self.number_cell(col, total)
                    cells.append(self._cell(row, c, {**d, "kind": "num"}, rng, total=True))
                else:
                    cells.append(Cell(row, c, "", kind="total"))
            row += 1
        spec = TableSpec(
            row,
            n_cols,
            n_header,
            cells,
            theme,
            self.lang,
            totals_row,
            (["text"] if rowspan_first else []) + [c.kind for c in cols],
        )
        check_grid(spec)
        return spec

    def _cell(self, r: int, c: int, d: dict[str, Any], rng: Rng, total: bool = False) -> Cell:
        return Cell(
            r,
            c,
            d.get("text", ""),
            numeric=bool(d.get("numeric")),
            value=d.get("value"),
            percent=bool(d.get("percent")),
            date=d.get("date"),
            kind="total" if total else d.get("kind", "text"),
            highlight=not total and rng.chance(0.04),
        )


def check_grid(spec: TableSpec) -> None:
    """Every grid position belongs to exactly one cell (raises ValueError naming the first violation)."""
    owner = [[-1] * spec.n_cols for _ in range(spec.n_rows)]
    for i, cell in enumerate(spec.cells):
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                if not (0 <= r < spec.n_rows and 0 <= c < spec.n_cols):
                    raise ValueError(
                        f"cell {i} ({cell.row},{cell.col}) spills out of {spec.n_rows}x{spec.n_cols}"
                    )
                if owner[r][c] != -1:
                    raise ValueError(f"grid position ({r},{c}) owned twice")
                owner[r][c] = i
    holes = [(r, c) for r in range(spec.n_rows) for c in range(spec.n_cols) if owner[r][c] == -1]
    if holes:
        raise ValueError(f"grid positions without a cell: {holes[:5]}")


def make_table(rng: Rng, lang: str, theme: str | None = None) -> TableSpec:
    """One table of ``theme`` (drawn when None) in ``lang``."""
    return Builder(rng, lang).build(theme or rng.pick(THEMES))
