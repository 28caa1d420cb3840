"""Image scoring: cell text alignment, numeric typing, table matching, GT → workbook → score round trips."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from bench_helpers import BENCH, needs_bench, table, write_gt_workbook

from bench.dataset import BenchImage
from bench.grid import GridCell, GridTable, tables_from_gt
from bench.report import Row, percentile, summarize
from bench.run import select
from bench.score import align, cell_scores, match_tables, score_image
from bench.xlsx_read import read_workbook

GT_DOC: dict[str, Any] = {
    "tables": [
        {
            "n_rows": 3,
            "n_cols": 3,
            "cells": [
                {"row": 0, "col": 0, "rowspan": 1, "colspan": 1, "text": "Item", "numeric": False},
                {"row": 0, "col": 1, "rowspan": 1, "colspan": 2, "text": "Year ended", "numeric": False},
                {"row": 1, "col": 0, "rowspan": 1, "colspan": 1, "text": "Travel", "numeric": False},
                {
                    "row": 1,
                    "col": 1,
                    "rowspan": 1,
                    "colspan": 1,
                    "text": "1,510",
                    "numeric": True,
                    "value": 1510.0,
                },
                {
                    "row": 1,
                    "col": 2,
                    "rowspan": 1,
                    "colspan": 1,
                    "text": "44.4%",
                    "numeric": True,
                    "value": 0.444,
                    "percent": True,
                },
                {"row": 2, "col": 0, "rowspan": 1, "colspan": 1, "text": "Total", "numeric": False},
                {
                    "row": 2,
                    "col": 1,
                    "rowspan": 1,
                    "colspan": 1,
                    "text": "-975",
                    "numeric": True,
                    "value": -975.0,
                },
                {
                    "row": 2,
                    "col": 2,
                    "rowspan": 1,
                    "colspan": 1,
                    "text": "12.50",
                    "numeric": True,
                    "value": 12.5,
                },
            ],
        },
        {
            "n_rows": 2,
            "n_cols": 2,
            "cells": [
                {"row": 0, "col": 0, "rowspan": 1, "colspan": 1, "text": "Name", "numeric": False},
                {"row": 0, "col": 1, "rowspan": 1, "colspan": 1, "text": "Room", "numeric": False},
                {"row": 1, "col": 0, "rowspan": 1, "colspan": 1, "text": "Ada", "numeric": False},
                {
                    "row": 1,
                    "col": 1,
                    "rowspan": 1,
                    "colspan": 1,
                    "text": "42",
                    "numeric": True,
                    "value": 42.0,
                },
            ],
        },
    ]
}


def _roundtrip(tmp_path: Path, doc: dict[str, Any], **kw: Any) -> list[GridTable]:
    return read_workbook(write_gt_workbook(doc, tmp_path / "gt.xlsx", **kw))


def test_ground_truth_written_as_workbook_scores_perfectly(tmp_path: Path) -> None:
    gts = tables_from_gt(GT_DOC)
    s = score_image("x", _roundtrip(tmp_path, GT_DOC, origin=(4, 3)), gts)
    assert (s.teds, s.teds_struct, s.cell_text) == (1.0, 1.0, 1.0)
    assert (s.numeric_hits, s.numeric_n, s.n_tp, s.n_pred, s.n_gt) == (5, 5, 2, 2, 2)


def test_numbers_stored_as_text_fail_numeric_typing_only(tmp_path: Path) -> None:
    s = score_image("x", _roundtrip(tmp_path, GT_DOC, numbers="text"), tables_from_gt(GT_DOC))
    assert (s.teds, s.cell_text) == (1.0, 1.0)
    assert (s.numeric_hits, s.numeric_n) == (0, 5)


def test_wrong_value_is_a_numeric_miss(tmp_path: Path) -> None:
    doc = copy.deepcopy(GT_DOC)
    doc["tables"][0]["cells"][4]["value"] = 44.4  # percent written as 44.4 instead of 0.444
    s = score_image("x", _roundtrip(tmp_path, doc, numbers="all"), tables_from_gt(GT_DOC))
    assert (s.numeric_hits, s.numeric_n) == (4, 5)


def test_perturbations_lower_teds(tmp_path: Path) -> None:
    gts = tables_from_gt(GT_DOC)
    doc = copy.deepcopy(GT_DOC)
    doc["tables"][0]["cells"][0]["text"] = "Itern"
    edited = score_image("x", _roundtrip(tmp_path, doc), gts)
    doc["tables"][0]["cells"][1]["colspan"] = 1  # merge lost
    doc["tables"][0]["cells"].append({"row": 0, "col": 2, "text": "", "numeric": False})
    unmerged = score_image("x", read_workbook(write_gt_workbook(doc, tmp_path / "b.xlsx")), gts)
    assert 0.9 < edited.teds < 1.0 and edited.teds_struct == 1.0
    assert unmerged.teds < edited.teds and unmerged.teds_struct < 1.0
    # 12 non-empty GT cells; Item→Itern is 2 edits over 5 characters
    assert edited.cell_text == pytest.approx((11 + 1 - 2 / 5) / 12)


def test_missing_table_scores_zero_and_costs_recall() -> None:
    gts = tables_from_gt(GT_DOC)
    s = score_image("x", [gts[1]], gts)
    assert s.teds == pytest.approx(0.5)
    assert (s.n_tp, s.n_pred, s.n_gt) == (1, 1, 2)
    assert (s.numeric_hits, s.numeric_n) == (1, 5)
    assert s.per_table[0]["sheet"] is None


def test_extra_and_reordered_tables_are_matched_by_content() -> None:
    gts = tables_from_gt(GT_DOC)
    junk = table([["Quarterly report"]])
    s = score_image("x", [gts[1], junk, gts[0]], gts)
    assert s.teds == 1.0
    assert (s.n_tp, s.n_pred, s.n_gt) == (2, 3, 2)


def test_match_prefers_reading_order_on_ties() -> None:
    t = table([["a"]])
    assert match_tables([t, t], [t, t], [[1.0, 1.0], [1.0, 1.0]]) == [0, 1]
    assert match_tables([], [t], [[]]) == [None]


def test_cell_text_survives_an_extra_column() -> None:
    gt = table([["Name", "Qty"], ["Apples", "3"], ["Pears", "12"]])
    pred = table([["Name", "", "Qty"], ["Apples", "", "3"], ["Pears", "", "12"]])
    cs = cell_scores(pred, gt)
    assert cs.text_sum / cs.text_n == 1.0
    assert score_image("x", [pred], [gt]).teds < 1.0


def test_cell_text_counts_unaligned_cells_as_zero() -> None:
    gt = table([["Name", "Qty"], ["Apples", "3"]])
    pred = table([["Name", "Qty"]])
    cs = cell_scores(pred, gt)
    assert (cs.text_sum, cs.text_n) == (2.0, 4)


def test_align_is_monotone_and_skips_unmatched() -> None:
    assert align(["a", "b", "c"], ["a", "c"]) == [0, None, 1]
    assert align(["x"], []) == [None]


def test_numeric_typing_needs_a_number_cell() -> None:
    gt = GridTable(1, 1, [GridCell(0, 0, text="12", numeric=True, value=12.0)])
    as_text = GridTable(1, 1, [GridCell(0, 0, text="12")])
    as_number = GridTable(1, 1, [GridCell(0, 0, text="12", numeric=True, value=12.0)])
    assert cell_scores(as_text, gt).numeric_hits == 0
    assert cell_scores(as_number, gt).numeric_hits == 1


def _img(name: str, **tags: Any) -> BenchImage:
    return BenchImage(name, "synthetic", Path(name), Path(name), tags)


def test_summary_pools_numeric_and_reports_timing() -> None:
    gts = tables_from_gt(GT_DOC)
    rows = [
        Row(
            _img("a"),
            score_image("a", gts, gts),
            {"ok": True, "seconds": 1.0, "cpu_seconds": 2.0, "peak_rss_mb": 100},
        ),
        Row(_img("b"), score_image("b", [], gts), {"ok": True, "seconds": 3.0, "peak_rss_mb": 300}),
    ]
    s = summarize(rows)
    assert (s["teds"], s["numeric"], s["table_recall"], s["table_precision"]) == (0.5, 0.5, 0.5, 1.0)
    assert (s["median_s"], s["peak_rss_mb"]) == (2.0, 300)
    assert s["median_cpu_s"] == 2.0  # over the images that report it
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90) == pytest.approx(10.0)


def test_select_filters_by_tag() -> None:
    images = [_img("a", style="grid", has_merges=True), _img("b", style="plain", has_merges=False)]
    assert [i.name for i in select(images, [], None, ["style=plain"])] == ["b"]
    assert [i.name for i in select(images, [], None, ["has_merges=True"])] == ["a"]


def test_select_spreads_limit_and_filters_names() -> None:
    images = [_img(f"dev_{i:04d}") for i in range(10)]
    assert [i.name for i in select(images, [], 5)] == [f"dev_{i:04d}" for i in (1, 3, 5, 7, 9)]
    assert [i.name for i in select(images, ["dev_0003,dev_000[89]"], None)] == [
        "dev_0003",
        "dev_0008",
        "dev_0009",
    ]


@needs_bench
def test_bench_ground_truth_roundtrips_through_xlsx(tmp_path: Path) -> None:
    names = ["synthetic/dev_0000", "real/PMC5198506_004_00"]
    multi = json.loads((BENCH / "synthetic" / "manifest.json").read_text())["images"]
    names += [f"synthetic/{m['name']}" for m in multi if m["n_tables"] > 1][:2]
    typed = 0
    for name in names:
        doc = json.loads((BENCH / f"{name}.json").read_text())
        gts = tables_from_gt(doc)
        shown = read_workbook(write_gt_workbook(doc, tmp_path / "x.xlsx", numbers="typed"))
        s = score_image(name, shown, gts)
        assert (s.teds, s.teds_struct, s.cell_text) == (1.0, 1.0, 1.0), name
        s = score_image(name, read_workbook(write_gt_workbook(doc, tmp_path / "y.xlsx", numbers="all")), gts)
        assert s.numeric_hits == s.numeric_n, name
        assert s.n_tp == len(gts), name
        typed += s.numeric_n
    assert typed > 0


def test_side_by_side_table_has_ratio_and_breakdowns() -> None:
    from bench.report import breakdowns, summary_table

    gts = tables_from_gt(GT_DOC)
    good = Row(
        _img("a", style="grid"), score_image("a", gts, gts), {"ok": True, "seconds": 1.0, "peak_rss_mb": 50}
    )
    half = Row(_img("a", style="grid"), score_image("a", [gts[0]], gts), {"ok": True, "seconds": 4.0})
    text = summary_table({"img2xlsx": summarize([good]), "img2table": summarize([half])}, {})
    assert "ratio img2xlsx/img2table" in text
    assert "| TEDS (↑) | 1.000 | 0.500 | 2.00x |" in text
    assert "| median s/image (↓) | 1.00 | 4.00 | 0.25x |" in text
    by_style = dict(breakdowns({"img2xlsx": [good], "img2table": [half]}))["style"]
    assert "| grid | 1 | 1.000 / 0.500 |" in by_style


def test_exact_cell_share_counts_only_cells_read_exactly() -> None:
    gts = tables_from_gt(GT_DOC)
    n = sum(1 for g in gts for c in g.cells if c.text)
    assert score_image("a", gts, gts).cell_exact == 1.0
    cells = [GridCell(c.row, c.col, c.rowspan, c.colspan, c.text, c.numeric, c.value) for c in gts[0].cells]
    cells[2] = GridCell(1, 0, text="Travei")  # one character misread
    cells[5] = GridCell(
        2, 0, text=" Total "
    )  # only whitespace: the scorer's normalisation is not applied here
    pred = GridTable(gts[0].n_rows, gts[0].n_cols, cells)
    s = score_image("a", [pred, gts[1]], gts)
    assert s.exact_hits == n - 2 and s.cell_exact == pytest.approx((n - 2) / n)
    assert s.cell_exact < s.cell_text < 1.0  # similarity still gives partial credit
    assert score_image("a", [], gts).cell_exact == 0.0


def test_workbook_numbers_are_shown_in_the_images_locale(tmp_path: Path) -> None:
    from bench.xlsx_read import localize

    assert localize("1,234.56", "deu") == "1.234,56"
    assert localize("-12.5%", "spa") == "-12,5%"
    assert localize("1,234.56", "fra") == "1\u202f234,56"
    assert localize("1,234.56", "eng") == "1,234.56" and localize("1,234.56", None) == "1,234.56"
    from bench.xlsx_read import localize_months

    assert localize_months("5. March 2024", "deu") == "5. März 2024"
    assert localize_months("5 March 2024", "vie") == "5 tháng 3 2024"
    assert localize_months("5 March 2024", "eng") == "5 March 2024"
    doc = {
        "tables": [
            {
                "n_rows": 1,
                "n_cols": 3,
                "cells": [
                    {"row": 0, "col": 0, "text": "1.234,56", "numeric": True, "value": 1234.56},
                    {"row": 0, "col": 1, "text": "Straße 1,5", "numeric": False},
                    {"row": 0, "col": 2, "text": "5. März 2024", "numeric": False},
                ],
            }
        ]
    }
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = 1234.56, "Straße 1,5"
    ws["A1"].number_format = "#,##0.00"
    ws["C1"] = dt.date(2024, 3, 5)
    ws["C1"].number_format = "d. mmmm yyyy"
    wb.save(tmp_path / "de.xlsx")
    de = read_workbook(tmp_path / "de.xlsx", "deu")[0]
    assert [c.text for c in de.cells] == ["1.234,56", "Straße 1,5", "5. März 2024"]  # text cells left alone
    assert score_image("de", [de], tables_from_gt(doc)).cell_exact == 1.0


def test_report_has_one_section_per_subset_with_exact_share() -> None:
    from bench.report import subset_sections, subsets_table

    gts = tables_from_gt(GT_DOC)

    def row(name: str, subset: str, preds: list[GridTable], **tags: Any) -> Row:
        return Row(BenchImage(name, subset, Path(name), Path(name), tags), score_image(name, preds, gts), {})

    a = [row("v1", "val", gts, style="grid"), row("v2", "val", [], style="hrules"), row("p", "photos", gts)]
    b = [row("v1", "val", [], style="grid"), row("v2", "val", [], style="hrules"), row("p", "photos", [])]
    side = subsets_table({"img2xlsx": a, "img2table": b})
    assert side.index("| val | 2 | 0.500 / 0.000 |") < side.index("| photos | 1 | 1.000 / 0.000 |")
    assert "exact img2xlsx/img2table" in side
    sections = dict(subset_sections({"img2xlsx": a, "img2table": b}))
    val = next(v for k, v in sections.items() if k.startswith("Fresh validation"))
    assert "cells exactly right (↑) | 0.500 | 0.000" in val
    assert "By style:" in val and "| hrules | 1 | 0.000 / 0.000 |" in val
    photos = next(v for k, v in sections.items() if k.startswith("Real photos"))
    assert "By style" not in photos  # one value only: no breakdown
