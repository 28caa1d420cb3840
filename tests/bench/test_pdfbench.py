"""The PDF bench: which pages it runs, that each is cut out as a one-page PDF, and how it pools scores."""

from __future__ import annotations

import pytest

from bench.dataset import bench_dir
from bench.pdfbench import load_pages, page_pdf, summarize
from bench.score import ImageScore

ICDAR = bench_dir() / "icdar2013"
needs_icdar = pytest.mark.skipif(not (ICDAR / "pdf").is_dir(), reason=f"no icdar2013 PDFs at {ICDAR}")


@needs_icdar
def test_every_ground_truth_table_is_on_exactly_one_bench_page() -> None:
    pages = load_pages()
    names = [n for p in pages for n in p.gt_names]
    assert len(names) == len(set(names)) == 63 and len(pages) == 56
    eu004 = [p for p in pages if p.document == "eu-004" and p.page == 2]
    assert len(eu004) == 1 and sorted(eu004[0].gt_names) == ["icdar_eu-004_t1", "icdar_eu-004_t2"]
    assert all(p.pdf.is_file() for p in pages)  # eu-009 is stored as eu-009a.pdf


@needs_icdar
def test_a_bench_page_is_cut_out_as_a_one_page_pdf() -> None:
    import pypdfium2 as pdfium

    page = next(p for p in load_pages() if p.document == "us-017" and p.page == 3)
    doc = pdfium.PdfDocument(page_pdf(page.pdf, page.page))
    try:
        assert len(doc) == 1
        source = pdfium.PdfDocument(str(page.pdf))
        try:
            want = source[2].get_textpage().get_text_range()
        finally:
            source.close()
        assert doc[0].get_textpage().get_text_range() == want and want.strip()
    finally:
        doc.close()


def test_summaries_pool_tables_cells_and_numbers() -> None:
    a = ImageScore(
        "a", teds=0.5, text_sum=3.0, text_n=4, numeric_hits=1, numeric_n=2, n_gt=2, n_pred=3, n_tp=1
    )
    a.per_table = [{"teds": 0.4, "teds_struct": 0.6}, {"teds": 0.6, "teds_struct": 1.0}]
    b = ImageScore(
        "b", teds=1.0, text_sum=6.0, text_n=6, numeric_hits=4, numeric_n=4, n_gt=1, n_pred=1, n_tp=1
    )
    b.per_table = [{"teds": 1.0, "teds_struct": 1.0}]
    s = summarize([a, b], [{"cpu_s": 1.0}, {"cpu_s": 3.0}])
    assert (
        s["tables"] == 3
        and s["teds"] == pytest.approx(2.0 / 3)
        and s["teds_struct"] == pytest.approx(2.6 / 3)
    )
    assert s["cell_text"] == pytest.approx(0.9) and s["numeric"] == pytest.approx(5 / 6)
    assert s["recall"] == pytest.approx(2 / 3) and s["precision"] == pytest.approx(0.5)
    assert s["cpu_median_s"] == 2.0 and s["cpu_total_s"] == 4.0
