"""PDFs in a real browser (Debian's Chromium through Playwright) against the real local stack: a born-digital
two-page PDF, a scanned PDF and a password-protected PDF picked in the file dialog; the first two convert
(tables titled by page, the born-digital one noting its text layer, the workbook's sheets named by page), the
third fails with its one-line reason."""

from __future__ import annotations

import io

import openpyxl
from e2e_stack import ARTIFACTS, CONVERT_TIMEOUT_MS
from playwright.sync_api import FilePayload, Locator, Page, expect

from tests.hardening import pdfs
from tests.hardening.corpus import table_image, table_rows


def _pdf(name: str, data: bytes) -> FilePayload:
    return FilePayload(name=name, mimeType="application/pdf", buffer=data)


def test_pdfs_convert_in_the_browser(page: Page) -> None:
    rows = table_rows()
    content = pdfs.table_page(rows, col_width=90, row_height=30, font_size=12).content
    accept = page.locator("#file-input").get_attribute("accept") or ""
    assert "application/pdf" in accept and ".pdf" in accept
    page.locator("#file-input").set_input_files(
        [
            _pdf("statement.pdf", pdfs.document([content, content])),
            _pdf("scan.pdf", pdfs.scanned_pdf([table_image()], dpi=100)),
        ]
    )
    page.locator("#file-input").set_input_files(_pdf("locked.pdf", pdfs.encrypted_pdf()))

    def card(name: str) -> Locator:
        return page.locator(f'[data-testid=file-card][data-filename="{name}"]')

    born, scan, locked = card("statement.pdf"), card("scan.pdf"), card("locked.pdf")
    for done in (born, scan):
        expect(done).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    expect(born.locator("[data-testid=status]")).to_have_text("Done — 2 tables found")
    titles = born.locator("[data-testid=table-preview] h3").all_text_contents()
    assert [t.split(" · ")[1] for t in titles] == ["page 1", "page 2"]
    expect(born.locator("[data-testid=text-layer-note]")).to_contain_text("2 pages")
    expect(scan.locator("[data-testid=text-layer-note]")).to_have_count(0)
    expect(born.locator("figure.original")).to_contain_text("PDF document")
    cells = born.locator("[data-testid=table-preview] table").first.locator("td, th")
    assert [" ".join(t.split()) for t in cells.all_text_contents()] == [c for row in rows for c in row]

    expect(locked).to_have_attribute("data-status", "failed", timeout=CONVERT_TIMEOUT_MS)
    expect(locked.get_by_role("alert")).to_contain_text("password")
    page.screenshot(path=str(ARTIFACTS / "06-pdfs.png"), full_page=True)

    with page.expect_download() as download_info:
        born.get_by_role("button", name="Download .xlsx").click()
    path = download_info.value.path()
    workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert workbook.sheetnames == ["p1 Table 1", "p2 Table 1"]
    assert workbook["p2 Table 1"]["B2"].value == 11
