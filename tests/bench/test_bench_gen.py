"""The table generator: seeded and deterministic, ground truth that covers every grid position once, numbers
whose text says their value in the table's language, totals that add up, a photo simulator that keeps
pictures sane, and a tiny end-to-end render in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.gen.build import SPLITS, make_image, plan
from bench.gen.content import THEMES, Rng, make_table
from bench.gen.locales import LANGS, format_currency, format_date, format_number, format_percent, parse_number
from bench.gen.page import gt_html, page_html
from bench.gen.photo import DEGRADATIONS, MAX_SIDE, degrade, encode
from bench.grid import norm_text, tables_from_gt


def _coverage(table: dict) -> np.ndarray:
    cover = np.zeros((table["n_rows"], table["n_cols"]), int)
    for c in table["cells"]:
        r0, c0 = c["row"], c["col"]
        assert r0 + c["rowspan"] <= table["n_rows"] and c0 + c["colspan"] <= table["n_cols"], c
        cover[r0 : r0 + c["rowspan"], c0 : c0 + c["colspan"]] += 1
    return cover


def test_plans_are_deterministic_per_seed_and_differ_across_seeds() -> None:
    a, b = plan(123, 7, "deu"), plan(123, 7, "deu")
    assert [t.gt() for t in a["tables"]] == [t.gt() for t in b["tables"]]
    assert page_html(a["page"]) == page_html(b["page"])
    assert (a["degradation"], a["marks"], a["dpr"]) == (b["degradation"], b["marks"], b["dpr"])
    others = [plan(124, 7, "deu"), plan(123, 8, "deu")]
    assert all(page_html(o["page"]) != page_html(a["page"]) for o in others)


def test_splits_have_distinct_seeds() -> None:
    seeds = [s.seed for s in SPLITS.values()]
    assert len(set(seeds)) == len(seeds)
    assert {"deu", "fra", "spa", "vie"} <= set(SPLITS["lang"].langs)
    assert SPLITS["langtrain"].langs == SPLITS["lang"].langs  # the tuning twin: same languages, own seed


@pytest.mark.parametrize("lang", LANGS)
def test_ground_truth_covers_every_grid_position_exactly_once(lang: str) -> None:
    seen_spans = 0
    for i in range(60):
        t = make_table(Rng([5, i]), lang, THEMES[i % len(THEMES)]).gt()
        assert t["n_rows"] >= 2 and t["n_cols"] >= 2
        assert (_coverage(t) == 1).all(), (
            f"table {i}: a position is covered {_coverage(t).max()} times or not"
        )
        assert 1 <= t["n_header_rows"] < t["n_rows"]
        seen_spans += any(c["rowspan"] > 1 or c["colspan"] > 1 for c in t["cells"])
    assert seen_spans > 5  # merges are common, not an accident


@pytest.mark.parametrize("lang", LANGS)
def test_numeric_cells_say_their_value_in_the_tables_language(lang: str) -> None:
    n_numeric = n_totals = 0
    for i in range(60):
        spec = make_table(Rng([9, i]), lang, THEMES[i % len(THEMES)])
        for c in spec.cells:
            if not c.numeric:
                assert c.value is None
                continue
            n_numeric += 1
            parsed = parse_number(c.text, lang)
            assert parsed is not None, f"{c.text!r} is not a {lang} number"
            value, pct = parsed
            assert pct == c.percent, c.text
            assert value == pytest.approx(c.value, rel=1e-9, abs=1e-9), c.text
        if spec.totals_row is not None:
            for c in spec.cells:
                if c.row == spec.totals_row and c.numeric:
                    above = [
                        x.value
                        for x in spec.cells
                        if x.col == c.col and x.numeric and x.row < spec.totals_row and x.value is not None
                    ]
                    assert c.value == pytest.approx(sum(above), rel=1e-9), "a total is its column's sum"
                    n_totals += 1
    assert n_numeric > 300 and n_totals > 10


def test_locale_formats() -> None:
    assert format_number(1234.56, "eng", 2) == "1,234.56"
    assert format_number(1234.56, "deu", 2) == "1.234,56"
    assert norm_text(format_number(1234.56, "fra", 2)) == "1 234,56"
    assert format_number(-1234, "eng", 0, negative="parens") == "(1,234)"
    assert norm_text(format_currency(19.9, "deu", 2, "€", False, True)) == "19,90 €"
    assert format_currency(-5, "eng", 2, "$", True, False) == "-$5.00"
    assert norm_text(format_percent(0.125, "fra", 1)) == "12,5 %"
    assert format_percent(0.125, "eng", 1) == "12.5%"
    import datetime as dt

    day = dt.date(2024, 3, 5)
    assert format_date(day, "deu", "dmy_dot") == "05.03.2024"
    assert format_date(day, "deu", "long") == "5. März 2024"
    assert format_date(day, "spa", "long") == "5 de marzo de 2024"
    assert format_date(day, "vie", "long") == "5 tháng 3 năm 2024"
    assert parse_number("1.234,56", "eng") is None  # a German number is not an English one
    assert parse_number("P/N 4471-22", "deu") is None


def test_gt_html_matches_gt_json() -> None:
    spec = make_table(Rng([3, 3]), "vie", "census")
    html = gt_html([spec])
    assert html.count("<table>") == 1 and html.count("<td") == len(spec.cells)
    assert tables_from_gt({"tables": [spec.gt()]})[0].n_cols == spec.n_cols


def _page_image() -> np.ndarray:
    import cv2

    img = np.full((300, 420, 3), 255, np.uint8)
    for y in range(20, 281, 40):
        cv2.line(img, (20, y), (400, y), (0, 0, 0), 1)
    for r in range(6):
        cv2.putText(
            img, f"Item {r}   1,234.5{r}", (30, 50 + 40 * r), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1
        )
    return img


@pytest.mark.parametrize("kind", DEGRADATIONS)
def test_photo_simulator_keeps_pictures_sane_and_seeded(kind: str) -> None:
    import cv2

    img = _page_image()
    out, params, ext = degrade(img, kind, np.random.default_rng(11), font_px=13)
    again, params2, _ = degrade(img, kind, np.random.default_rng(11), font_px=13)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    assert np.array_equal(out, again) and params == params2
    h, w = out.shape[:2]
    assert 0.4 * 300 <= h <= MAX_SIDE and 0.4 * 420 <= w <= MAX_SIDE
    assert ext in ("png", "jpg") and (ext == "png") == (kind == "clean" or "jpeg_quality" not in params)
    if kind == "clean":
        assert np.array_equal(out, img)
    else:
        assert not np.array_equal(out[: min(h, 300), : min(w, 420)], img[: min(h, 300), : min(w, 420)])
    decoded = cv2.imdecode(np.frombuffer(encode(out, ext, params), np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == out.shape
    # the text must still be there: dark ink on a lighter page, not a black or white frame
    grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    assert grey.min() < 110 and np.median(grey) > 120


def test_unknown_degradation_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown degradation"):
        degrade(_page_image(), "underwater", np.random.default_rng(0))


def _have_chromium() -> bool:
    try:
        import playwright.sync_api  # noqa: F401

        from bench.gen.render import chromium_path

        chromium_path()
        return True
    except (ImportError, FileNotFoundError):
        return False


@pytest.mark.skipif(not _have_chromium(), reason="needs Chromium and Playwright")
def test_rendered_images_are_deterministic_and_loadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.dataset import load_images
    from bench.gen.render import Renderer

    tiny = plan(7, 0, "fra")
    tiny["page"].blocks = tiny["page"].blocks[:1]
    spec = tiny["page"].blocks[0].table
    spec.cells = [c for c in spec.cells if c.row < 3]
    spec.n_rows, spec.totals_row = 3, None
    # a cheap image to write end to end: one table, a light degradation
    index = next(i for i in range(100) if (p := plan(99, i, "vie"))["layout"] == "single" and p["degradation"]
                 in ("clean", "lowres", "scan") and p["tables"][0].n_rows < 12)  # fmt: skip
    out = tmp_path / "val"
    out.mkdir()
    with Renderer() as renderer:
        a, b = renderer.render(page_html(tiny["page"])), renderer.render(page_html(tiny["page"]))
        entry = make_image(renderer, "val", 99, index, "vie", out)
    assert a.png == b.png, "same page, same pixels"
    x0, y0, x1, y1 = a.tables[0]
    assert 0 <= x0 < x1 <= a.width and 0 <= y0 < y1 <= a.height and len(a.rows[0]) == 3
    gt = json.loads((out / f"{entry['name']}.json").read_text(encoding="utf-8"))
    assert gt["image"] == entry["file"] and (out / entry["file"]).stat().st_size > 1000
    assert [t["n_rows"] for t in gt["tables"]] == entry["shape"] and entry["lang"] == "vie"
    (out / "manifest.json").write_text(json.dumps({"set": "val", "images": [entry]}), encoding="utf-8")
    monkeypatch.setenv("IMG2XLSX_GEN_DIR", str(tmp_path))
    images = load_images(subsets=("val",))
    assert [(i.name, i.tag("lang")) for i in images] == [(entry["name"], "vie")] and images[0].image.exists()


def test_a_page_that_does_not_show_its_ground_truth_is_refused() -> None:
    from bench.gen.build import check_rendered_text

    spec = make_table(Rng([1, 1]), "deu", "inventory")
    shown = [c.text for c in sorted(spec.cells, key=lambda c: (c.row, c.col))]
    check_rendered_text("ok", [spec], [[s.replace(" ", "\n") for s in shown]])  # wraps are fine
    shown[3] = shown[3] + "x"
    with pytest.raises(ValueError, match="table 1 shows"):
        check_rendered_text("bad", [spec], [shown])
    with pytest.raises(ValueError, match="2 tables on the page"):
        check_rendered_text("bad", [spec], [shown, shown])
