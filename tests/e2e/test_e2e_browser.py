"""The web app in a real browser (Debian's Chromium through Playwright) against the real local stack: upload
a benchmark image, check the preview and the workbook against the ground truth, reject bad files with clear
errors, paste from the clipboard, stay usable by keyboard and on a phone. Screenshots go to tests/artifacts.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
import openpyxl
from e2e_stack import ARTIFACTS, CONVERT_TIMEOUT_MS, LocalStack, bench_image
from PIL import Image, ImageDraw
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    expect,
)

MAIN_IMAGE = "dev_0016"  # clean grid with a three-row merged cell
PASTE_IMAGE = "dev_0016"


def norm(text: Any) -> str:
    return " ".join(str(text or "").split())


def picture_without_a_table() -> bytes:
    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).text((40, 120), "Just a sentence, no table here at all.", fill="black")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def shot(page: Page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def preview_cells(page: Page) -> list[dict[str, Any]]:
    """The cells the preview table draws: position, spans, text and whether marked as doubtful."""
    cells: list[dict[str, Any]] = page.locator("[data-testid=table-preview] table").first.evaluate(
        """t => Array.from(t.querySelectorAll('td, th')).map(c => ({
            row: +c.dataset.row, col: +c.dataset.col, rowspan: c.rowSpan, colspan: c.colSpan,
            text: c.textContent, low: c.classList.contains('low-confidence')}))"""
    )
    return cells


def spans(cells: list[dict[str, Any]]) -> set[tuple[int, int, int, int]]:
    return {
        (c["row"], c["col"], c.get("rowspan", 1), c.get("colspan", 1))
        for c in cells
        if c.get("rowspan", 1) > 1 or c.get("colspan", 1) > 1
    }


def test_convert_a_bench_image_preview_and_downloads(page: Page, stack: LocalStack) -> None:
    image, truth = bench_image(MAIN_IMAGE)
    gt_table = truth["tables"][0]
    shot(page, "01-start")

    page.locator("#file-input").set_input_files(str(image))
    card = page.locator("[data-testid=file-card]").first
    expect(card.get_by_role("heading", name=image.name)).to_be_visible()
    expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    expect(card.locator("[data-testid=status]")).to_have_text("Done — 1 table found")
    expect(card.locator("figure.original img")).to_be_visible()
    shot(page, "03-done")
    card.screenshot(path=str(ARTIFACTS / "03-done-card.png"))

    # The preview against the ground truth: the same grid, the same merged cells, the same texts.
    cells = preview_cells(page)
    assert spans(cells) == spans(gt_table["cells"])
    truth_text = {(c["row"], c["col"]): norm(c["text"]) for c in gt_table["cells"]}
    shown = {(c["row"], c["col"]): norm(c["text"]) for c in cells}
    assert set(shown) == set(truth_text)
    matching = sum(shown[k] == v for k, v in truth_text.items())
    assert matching >= 0.9 * len(truth_text), f"{matching}/{len(truth_text)} cell texts match"

    # Highlighted cells are exactly the doubtful ones of the engine's JSON (low confidence or a failed check).
    job_id = card.get_attribute("data-job-id")
    view = httpx.get(f"{stack.url}/api/jobs/{job_id}").json()
    doc = httpx.get(stack.url + view["result"]["jsonUrl"]).json()
    doubtful = {
        (c["row"], c["col"])
        for c in doc["tables"][0]["cells"]
        if (c["confidence"] is not None and c["confidence"] < 0.6 and c["text"].strip()) or c.get("check")
    }
    assert {(c["row"], c["col"]) for c in cells if c["low"]} == doubtful

    # The workbook: values and merged ranges.
    with page.expect_download() as download_info:
        card.get_by_role("button", name="Download .xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"{image.stem}.xlsx"
    xlsx = ARTIFACTS / download.suggested_filename
    download.save_as(xlsx)
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    expected_merged = {
        f"{openpyxl.utils.get_column_letter(c + 1)}{r + 1}:{openpyxl.utils.get_column_letter(c + cs)}{r + rs}"
        for r, c, rs, cs in spans(gt_table["cells"])
    }
    assert merged == expected_merged
    checked = right = 0
    for c in gt_table["cells"]:
        value = sheet.cell(row=c["row"] + 1, column=c["col"] + 1).value
        if c.get("numeric"):
            checked += 1
            right += isinstance(value, int | float) and abs(value - c["value"]) < 1e-9
        elif c["text"].strip():
            checked += 1
            right += norm(value) == norm(c["text"])
    assert right >= 0.9 * checked, f"{right}/{checked} workbook values match the ground truth"

    # CSV and the clipboard copy carry the same texts as the preview.
    rows = [[""] * gt_table["n_cols"] for _ in range(gt_table["n_rows"])]
    for c in cells:
        rows[c["row"]][c["col"]] = norm(c["text"])
    with page.expect_download() as csv_info:
        card.get_by_role("button", name="Download CSV").click()
    csv_path = ARTIFACTS / csv_info.value.suggested_filename
    csv_info.value.save_as(csv_path)
    parsed = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert [[norm(v) for v in row] for row in parsed] == rows
    copy = card.get_by_role("button", name="Copy table")
    copy.click()
    expect(copy).to_have_text("Copied ✓")
    pasted = page.evaluate("navigator.clipboard.readText()")
    assert [[norm(v) for v in line.split("\t")] for line in pasted.rstrip("\n").split("\n")] == rows


def test_upload_progress_is_shown(page: Page, context: BrowserContext) -> None:
    """On a slow uplink the card shows a moving progress bar and percentage, then converts as usual."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 50, "downloadThroughput": -1, "uploadThroughput": 40 * 1024},
    )
    image, _ = bench_image("dev_0032")  # 90 KB: a couple of seconds at 40 KB/s
    page.locator("#file-input").set_input_files(str(image))
    card = page.locator("[data-testid=file-card]").first
    expect(card.locator("[data-testid=status]")).to_have_text(re.compile(r"Uploading… ([1-9]|[1-9][0-9])%"))
    fraction = card.locator("progress").evaluate("p => p.value")
    assert 0 < fraction < 1
    shot(page, "02-uploading")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)


def test_rejected_files_show_clear_errors_and_retry(page: Page) -> None:
    # Two files in one selection, then an oversized one. (Playwright can mix up the names and contents of
    # several in-memory files when one is large, so the big one goes on its own.)
    page.locator("#file-input").set_input_files(
        [
            FilePayload(
                name="notes.png", mimeType="image/png", buffer=b"just some text, renamed to .png\n" * 40
            ),
            FilePayload(name="table.txt", mimeType="text/plain", buffer=b"a,b\n1,2\n"),
        ]
    )
    huge = b"\x89PNG\r\n\x1a\n" + b"\0" * (21 * 1024 * 1024)
    page.locator("#file-input").set_input_files(
        FilePayload(name="huge.png", mimeType="image/png", buffer=huge)
    )
    page.locator("#file-input").set_input_files(
        FilePayload(name="no-table.png", mimeType="image/png", buffer=picture_without_a_table())
    )
    cards = page.locator("[data-testid=file-card]")
    expect(cards).to_have_count(4)

    def card_for(name: str) -> Any:
        return page.locator(f'[data-testid=file-card][data-filename="{name}"]')

    for name in ("notes.png", "huge.png", "table.txt"):
        expect(card_for(name)).to_have_attribute("data-status", "failed", timeout=CONVERT_TIMEOUT_MS)
    expect(card_for("huge.png").get_by_role("alert")).to_contain_text("File too large")
    expect(card_for("huge.png").get_by_role("alert")).to_contain_text("limit is 20 MB")
    expect(card_for("table.txt").get_by_role("alert")).to_contain_text("Wrong file type")
    notes_error = card_for("notes.png").get_by_role("alert")
    expect(notes_error).to_contain_text("Conversion failed")
    assert "image" in (notes_error.text_content() or "").lower()
    no_table = card_for("no-table.png")
    expect(no_table).to_have_attribute("data-status", "no-table", timeout=CONVERT_TIMEOUT_MS)
    expect(no_table.get_by_role("alert")).to_contain_text("No table found in this image")
    expect(no_table.get_by_role("button", name="Download .xlsx")).to_be_visible()  # it still holds the text
    shot(page, "04-errors")

    # Retry is there, labelled, and runs the file again (which fails again, with the same reason).
    retry = card_for("notes.png").get_by_role("button", name="Retry notes.png")
    retry.click()
    expect(card_for("notes.png")).not_to_have_attribute("data-status", "failed", timeout=5000)
    expect(card_for("notes.png")).to_have_attribute("data-status", "failed", timeout=CONVERT_TIMEOUT_MS)


def test_paste_a_screenshot_from_the_clipboard(page: Page) -> None:
    image, truth = bench_image(PASTE_IMAGE)
    data = base64.b64encode(image.read_bytes()).decode()
    # Put the image on the system clipboard the way a screenshot tool does, then press Ctrl+V.
    page.evaluate(
        """async b64 => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const blob = new Blob([bytes], {type: 'image/png'});
            await navigator.clipboard.write([new ClipboardItem({'image/png': blob})]);
        }""",
        data,
    )
    page.locator("body").click()
    page.keyboard.press("Control+V")
    card = page.locator("[data-testid=file-card]").first
    expect(card.get_by_role("heading", name="pasted-")).to_be_visible()
    expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    cells = preview_cells(page)
    assert spans(cells) == spans(truth["tables"][0]["cells"])
    shot(page, "05-pasted")


def test_drop_several_images_on_the_page(page: Page) -> None:
    """Files dragged from the desktop and dropped anywhere on the page each get a card and are converted."""
    names = ["dev_0016", "dev_0032"]  # the second holds two tables
    payload = [
        (bench_image(n)[0].name, base64.b64encode(bench_image(n)[0].read_bytes()).decode()) for n in names
    ]
    data_transfer = page.evaluate_handle(
        """files => {
            const dt = new DataTransfer();
            for (const [name, b64] of files) {
                const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                dt.items.add(new File([bytes], name, {type: 'image/png'}));
            }
            return dt;
        }""",
        payload,
    )
    page.dispatch_event("#dropzone", "dragenter", {"dataTransfer": data_transfer})
    expect(page.locator("#dropzone")).to_have_class("dropzone dragging")
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": data_transfer})
    expect(page.locator("#dropzone")).to_have_class("dropzone")
    cards = page.locator("[data-testid=file-card]")
    expect(cards).to_have_count(2)
    for name, _ in payload:
        card = page.locator(f'[data-testid=file-card][data-filename="{name}"]')
        expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    two = page.locator('[data-testid=file-card][data-filename="dev_0032.png"]')
    expect(two.locator("[data-testid=table-preview]")).to_have_count(2)
    expect(two.get_by_role("button", name="Download CSV")).to_have_count(2)
    shot(page, "06-dropped")


def test_keyboard_and_phone(browser: Browser, stack: LocalStack) -> None:
    phone = browser.new_context(
        base_url=stack.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        page = phone.new_page()
        page.goto("/")
        camera = page.get_by_role("button", name="Take a photo")
        expect(camera).to_be_visible()
        assert page.locator("#camera-input").get_attribute("capture") == "environment"
        # Keyboard: Tab reaches the picker, and Space (a button's key) opens the file input.
        page.evaluate(
            "document.getElementById('file-input').addEventListener('click', () => window.opened = true)"
        )
        chooser = page.get_by_role("button", name="Choose images…")
        for _ in range(6):
            page.keyboard.press("Tab")
            if chooser.evaluate("el => el === document.activeElement"):
                break
        assert chooser.evaluate("el => el === document.activeElement"), "the picker is not reachable by Tab"
        page.keyboard.press("Space")
        assert page.evaluate("window.opened === true"), (
            "Space on the focused picker did not open the file input"
        )
        page.locator("#file-input").set_input_files(str(bench_image(PASTE_IMAGE)[0]))
        card = page.locator("[data-testid=file-card]").first
        expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
        # Nothing wider than the phone's screen except inside the scrollable table region.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        shot(page, "07-phone")
    finally:
        phone.close()
