"""The language picker in a real browser against the real local stack: the choice is remembered across
visits, sent with the job, and a German table comes back with its accents and German numbers typed."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest
from e2e_stack import ARTIFACTS, CONVERT_TIMEOUT_MS, LocalStack
from playwright.sync_api import FilePayload, Page, expect

from tests.engine.test_languages import FONT, GERMAN, render

STACK_WORKERS = 1


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans is not installed")
def test_the_picked_language_is_remembered_and_reads_a_german_table(page: Page, stack: LocalStack) -> None:
    picker = page.get_by_label("Language of the table")
    expect(picker).to_have_value("eng")  # the default
    picker.select_option("deu")
    page.reload()
    expect(page.get_by_label("Language of the table")).to_have_value("deu")  # remembered

    png = render(GERMAN, [260, 150, 200, 220])
    page.locator("#file-input").set_input_files(
        FilePayload(name="rechnung.png", mimeType="image/png", buffer=png)
    )
    card = page.locator("[data-testid=file-card]").first
    expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    page.screenshot(path=str(ARTIFACTS / "language-deu.png"), full_page=True)

    view = httpx.get(f"{stack.url}/api/jobs/{card.get_attribute('data-job-id')}").json()
    assert view["language"] == "deu"
    workbook = httpx.get(stack.url + view["result"]["xlsxUrl"]).content
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][0] == "Bücherregal" and rows[2][0] == "Größenschild"
    assert rows[1][1] == 1250 and rows[2][2] == pytest.approx(1234.56)
