"""Editing the preview before downloading (issue 13), in a real browser against the real local stack.

Convert a benchmark image, fix cells in place (one of them to a number), merge two cells, mark one more
header row; the SPA saves with PUT /api/jobs/{id}/tables/{n} (docs: the edit API contract), and the job's own
workbook, JSON, CSV and copy then hold the edits: the number typed as a number, the merge, the header row.
After a reload the job comes back and its download still holds them. The grid also works with the keyboard
alone (roving focus, edit, cancel, undo/redo, merge) and on a phone (tap to edit, large targets). A refused
save shows the server's message, keeps the edits and blocks the stale download until a retry saves them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import httpx
import openpyxl
import pytest
from e2e_stack import ARTIFACTS, CONVERT_TIMEOUT_MS, DIST, LocalStack, bench_image
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import (
    Browser,
    FilePayload,
    Locator,
    Page,
    Request,
    expect,
)
from test_e2e_browser import norm

IMAGE = "dev_0016"  # 4 x 7, one header row, a date merged over three rows, numeric Mins/Capacity columns
NUMBER_CELL = (2, 6)  # "1,200" in the Capacity column
NUMBER_TEXT = "1,234.50"
TEXT_CELL = (1, 2)  # "Opening keynote"
TEXT_EDIT = "Keynote <b>welcome</b> & coffee"  # markup must stay text, in the page and in the workbook
MERGE_FROM, MERGE_TO = (2, 3), (2, 4)  # an empty Notes cell and "Hall A" beside it
SAVE_TIMEOUT_MS = 30_000
DOUBTFUL = re.compile(r"\blow-confidence\b")


# ---- helpers ---------------------------------------------------------------------------------------------


def convert(page: Page, name: str) -> Locator:
    image, _ = bench_image(name)
    page.locator("#file-input").set_input_files(str(image))
    card = page.locator(f'[data-testid=file-card][data-filename="{image.name}"]').first
    expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    return card


def grid(card: Locator, index: int = 0) -> Locator:
    return card.locator("[data-testid=table-preview]").nth(index).locator("table[role=grid]")


def cell(card: Locator, row: int, col: int, index: int = 0) -> Locator:
    return grid(card, index).locator(f'[data-row="{row}"][data-col="{col}"]')


def server_table(stack: LocalStack, job_id: str, index: int = 0) -> dict[str, Any]:
    """The table as the server holds it now (the preview JSON behind the job's fresh link)."""
    view = httpx.get(f"{stack.url}/api/jobs/{job_id}").json()
    doc = httpx.get(stack.url + view["result"]["jsonUrl"]).json()
    table: dict[str, Any] = doc["tables"][index]
    return table


def by_pos(table: dict[str, Any]) -> dict[tuple[int, int], dict[str, Any]]:
    return {(c["row"], c["col"]): c for c in table["cells"]}


def focused(page: Page) -> tuple[int, int] | None:
    """Grid position of the focused cell (or of the cell whose editor has focus)."""
    pos: list[int] | None = page.evaluate(
        """() => {
            const td = document.activeElement?.closest('td[data-row], th[data-row]');
            return td ? [+td.dataset.row, +td.dataset.col] : null;
        }"""
    )
    return (pos[0], pos[1]) if pos else None


def editor_open(page: Page) -> bool:
    return bool(page.evaluate("document.activeElement?.dataset.testid === 'cell-editor'"))


def save_status(card: Locator, index: int = 0) -> Locator:
    return card.locator("[data-testid=table-preview]").nth(index).locator("[data-testid=save-status]")


def download_xlsx(page: Page, card: Locator, name: str) -> Worksheet:
    with page.expect_download() as info:
        card.get_by_role("button", name="Download .xlsx").click()
    path = ARTIFACTS / name
    info.value.save_as(path)
    assert info.value.suggested_filename == f"{IMAGE}.xlsx"
    return openpyxl.load_workbook(path).worksheets[0]


def ref(row: int, col: int) -> str:
    return f"{get_column_letter(col + 1)}{row + 1}"


def expected_body(table: dict[str, Any], n_header_rows: int) -> dict[str, Any]:
    """What the SPA must PUT after the edits of the first test, built from the recognised table."""
    n_rows, n_cols = table["n_rows"], table["n_cols"]
    cells = {(c["row"], c["col"]): dict(c) for c in table["cells"]}
    covered = {
        (r, c)
        for x in cells.values()
        for r in range(x["row"], x["row"] + x["rowspan"])
        for c in range(x["col"], x["col"] + x["colspan"])
    }
    for r in range(n_rows):  # holes in the recognised grid travel as empty cells
        for c in range(n_cols):
            if (r, c) not in covered:
                cells[(r, c)] = {"row": r, "col": c, "rowspan": 1, "colspan": 1, "text": ""}
    cells[NUMBER_CELL]["text"] = NUMBER_TEXT
    cells[TEXT_CELL]["text"] = TEXT_EDIT
    right = cells.pop(MERGE_TO)
    left = cells[MERGE_FROM]
    left["text"] = " ".join(t.strip() for t in (left["text"], right["text"]) if t.strip())
    left["colspan"] = 2
    return {
        "nRows": n_rows,
        "nCols": n_cols,
        "nHeaderRows": n_header_rows,
        "cells": [
            {k: cells[pos][k] for k in ("row", "col", "rowspan", "colspan", "text")} for pos in sorted(cells)
        ],
    }


def check_workbook(sheet: Worksheet, before: dict[str, Any], merged_text: str, n_header_rows: int) -> None:
    """The downloaded workbook holds every edit of the first test, typed as the contract says."""
    assert (sheet.max_row, sheet.max_column) == (before["n_rows"], before["n_cols"])
    number = sheet[ref(*NUMBER_CELL)].value
    assert isinstance(number, int | float) and not isinstance(number, bool), f"{number!r} is not a number"
    assert number == pytest.approx(1234.5)
    assert sheet[ref(*TEXT_CELL)].value == TEXT_EDIT
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert f"{ref(*MERGE_FROM)}:{ref(*MERGE_TO)}" in merged
    assert norm(sheet[ref(*MERGE_FROM)].value) == merged_text
    # The merges the recognition found are still there (the date over three rows).
    for c in before["cells"]:
        if c["rowspan"] > 1 or c["colspan"] > 1:
            last = (c["row"] + c["rowspan"] - 1, c["col"] + c["colspan"] - 1)
            assert f"{ref(c['row'], c['col'])}:{ref(*last)}" in merged
    # The new header row: bold, frozen above the data, never typed (a "60" in it stays text).
    header_number = by_pos(before)[(n_header_rows - 1, 5)]
    value = sheet[ref(n_header_rows - 1, 5)].value
    assert isinstance(value, str) and norm(value) == norm(header_number["text"])
    assert sheet[ref(n_header_rows - 1, 1)].font.b
    assert not sheet[ref(n_header_rows, 1)].font.b
    assert sheet.freeze_panes == f"A{n_header_rows + 1}"
    # An untouched numeric cell below is still a number.
    untouched = sheet[ref(before["n_rows"] - 1, 6)].value
    assert isinstance(untouched, int | float)


# ---- tests -----------------------------------------------------------------------------------------------


def test_edit_merge_header_save_download_and_reload(page: Page, stack: LocalStack) -> None:
    card = convert(page, IMAGE)
    job_id = card.get_attribute("data-job-id")
    assert job_id
    before = server_table(stack, job_id)
    cells = by_pos(before)
    for pos in (NUMBER_CELL, TEXT_CELL, MERGE_FROM, MERGE_TO):
        assert (cells[pos]["rowspan"], cells[pos]["colspan"]) == (1, 1), f"recognition changed cell {pos}"
    n_header_rows = before["n_header_rows"] + 1
    merged_text = " ".join(norm(cells[p]["text"]) for p in (MERGE_FROM, MERGE_TO) if norm(cells[p]["text"]))

    puts: list[Request] = []
    statuses: list[int] = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" else None)
    page.on("response", lambda r: statuses.append(r.status) if r.request.method == "PUT" else None)

    # Click a cell: it opens for editing with its text; Enter keeps the new text and moves down.
    cell(card, *NUMBER_CELL).click()
    editor = grid(card).get_by_test_id("cell-editor")
    expect(editor).to_be_focused()
    expect(editor).to_have_value(cells[NUMBER_CELL]["text"])
    editor.fill(NUMBER_TEXT)
    shot = ARTIFACTS / "edit-01-editing.png"
    card.screenshot(path=str(shot))
    page.keyboard.press("Enter")
    expect(grid(card).get_by_test_id("cell-editor")).to_have_count(0)
    expect(cell(card, *NUMBER_CELL)).to_have_text(NUMBER_TEXT)
    expect(cell(card, *NUMBER_CELL)).to_have_attribute("data-edited", "true")
    assert focused(page) == (NUMBER_CELL[0] + 1, NUMBER_CELL[1])

    cell(card, *TEXT_CELL).click()
    grid(card).get_by_test_id("cell-editor").fill(TEXT_EDIT)
    page.keyboard.press("Tab")  # keeps the text and opens the next cell
    expect(grid(card).get_by_test_id("cell-editor")).to_be_focused()
    assert focused(page) == (TEXT_CELL[0], TEXT_CELL[1] + 1)
    page.keyboard.press("Escape")
    expect(cell(card, *TEXT_CELL)).to_have_text(TEXT_EDIT)  # as text: no <b> element was made
    assert cell(card, *TEXT_CELL).locator("b").count() == 0

    # Select two cells (click, then shift+click) and merge them.
    merge = card.get_by_test_id("merge")
    expect(merge).to_be_disabled()
    cell(card, *MERGE_FROM).click()
    page.keyboard.press("Escape")
    cell(card, *MERGE_TO).click(modifiers=["Shift"])
    expect(cell(card, *MERGE_FROM)).to_have_attribute("aria-selected", "true")
    expect(cell(card, *MERGE_TO)).to_have_attribute("aria-selected", "true")
    expect(merge).to_be_enabled()
    card.screenshot(path=str(ARTIFACTS / "edit-02-selected.png"))
    merge.click()
    merged = cell(card, *MERGE_FROM)
    expect(merged).to_have_attribute("colspan", "2")
    expect(merged).to_have_text(merged_text)
    expect(cell(card, *MERGE_TO)).to_have_count(0)

    # One more header row: its cells become column headers.
    card.get_by_label("Header rows").select_option(str(n_header_rows))
    expect(grid(card).locator(f'[data-row="{n_header_rows - 1}"][role=columnheader]').first).to_be_visible()
    assert grid(card).locator(f'td[data-row="{n_header_rows - 1}"]').count() == 0

    # Saved on its own (debounced), shown as such.
    expect(save_status(card)).to_have_attribute("data-state", "saved", timeout=SAVE_TIMEOUT_MS)
    expect(save_status(card)).to_contain_text("All changes saved")
    card.screenshot(path=str(ARTIFACTS / "edit-03-saved.png"))
    assert puts, "no PUT was sent"
    assert statuses and all(s == 200 for s in statuses), statuses
    last = puts[-1]
    assert last.url == f"{stack.url}/api/jobs/{job_id}/tables/0"
    assert last.headers["content-type"].startswith("application/json")
    assert json.loads(last.post_data or "") == expected_body(before, n_header_rows)

    # The server's copy (what every download is made from) holds the edits and marks them.
    after = server_table(stack, job_id)
    assert after["n_header_rows"] == n_header_rows
    got = by_pos(after)
    number = got[NUMBER_CELL]
    assert number["text"] == NUMBER_TEXT and number["edited"] is True and number["confidence"] == 1.0
    assert number["value"]["kind"] == "number" and number["value"]["value"] == pytest.approx(1234.5)
    assert got[TEXT_CELL]["text"] == TEXT_EDIT and got[TEXT_CELL]["edited"] is True
    assert (got[MERGE_FROM]["colspan"], norm(got[MERGE_FROM]["text"])) == (2, merged_text)
    assert MERGE_TO not in got
    untouched = got[(before["n_rows"] - 1, 2)]
    assert not untouched.get("edited") and untouched["text"] == cells[(before["n_rows"] - 1, 2)]["text"]

    check_workbook(download_xlsx(page, card, "edit-saved.xlsx"), before, merged_text, n_header_rows)

    # CSV and copy are built in the page from the edited table.
    with page.expect_download() as csv_info:
        card.get_by_role("button", name="Download CSV").click()
    csv_path = ARTIFACTS / "edit-saved.csv"
    csv_info.value.save_as(csv_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[NUMBER_CELL[0]][NUMBER_CELL[1]] == NUMBER_TEXT
    assert rows[TEXT_CELL[0]][TEXT_CELL[1]] == TEXT_EDIT
    assert norm(rows[MERGE_FROM[0]][MERGE_FROM[1]]) == merged_text and rows[MERGE_TO[0]][MERGE_TO[1]] == ""
    card.get_by_role("button", name="Copy table").click()
    pasted = page.evaluate("navigator.clipboard.readText()").rstrip("\n").split("\n")
    assert pasted[NUMBER_CELL[0]].split("\t")[NUMBER_CELL[1]] == NUMBER_TEXT

    # Reload: the job comes back from this browser's memory, with the saved edits, marked as edits.
    page.reload()
    again = page.locator(f'[data-testid=file-card][data-job-id="{job_id}"]')
    expect(again).to_have_attribute("data-status", "done", timeout=30_000)
    expect(again).to_have_attribute("data-restored", "true")
    expect(again.get_by_test_id("status")).to_have_text("Done — 1 table found")
    expect(cell(again, *NUMBER_CELL)).to_have_text(NUMBER_TEXT)
    expect(cell(again, *NUMBER_CELL)).to_have_attribute("data-edited", "true")
    expect(cell(again, *TEXT_CELL)).to_have_attribute("data-edited", "true")
    expect(cell(again, *MERGE_FROM)).to_have_attribute("colspan", "2")
    assert grid(again).locator(f'[data-row="{n_header_rows - 1}"][role=columnheader]').count() > 0
    again.screenshot(path=str(ARTIFACTS / "edit-04-reloaded.png"))
    check_workbook(download_xlsx(page, again, "edit-reloaded.xlsx"), before, merged_text, n_header_rows)


def test_keyboard_only_navigate_edit_cancel_undo_merge(page: Page, stack: LocalStack) -> None:
    card = convert(page, IMAGE)
    job_id = card.get_attribute("data-job-id")
    assert job_id
    before = by_pos(server_table(stack, job_id))
    table = grid(card)
    # One tab stop for the whole grid (roving tabindex), cells in ARIA grid roles.
    assert table.locator("[tabindex='0']").count() == 1
    assert table.locator("[role=gridcell]").count() > 0 and table.locator("[role=columnheader]").count() > 0

    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page) is not None:
            break
    assert focused(page) == (0, 0), "Tab does not reach the grid"
    page.keyboard.press("ArrowDown")
    assert focused(page) == (1, 0)  # the date merged over rows 1-3
    page.keyboard.press("ArrowRight")
    assert focused(page) == (1, 1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowLeft")
    assert focused(page) == (1, 0)
    page.keyboard.press("ArrowRight")
    assert focused(page) == (2, 1), "leaving a merged cell sideways keeps the row it was entered by"

    # Typing over a cell replaces its text; Enter keeps it and moves down.
    original = before[(2, 1)]["text"]
    page.keyboard.type("10:00-12:00")
    assert editor_open(page)
    page.keyboard.press("Enter")
    assert focused(page) == (3, 1) and not editor_open(page)
    expect(cell(card, 2, 1)).to_have_text("10:00-12:00")
    expect(cell(card, 2, 1)).to_have_attribute("data-edited", "true")

    # Enter opens the editor with the text; Escape cancels: nothing changes.
    page.keyboard.press("Enter")
    assert editor_open(page)
    page.keyboard.type(" typo")
    page.keyboard.press("Escape")
    assert focused(page) == (3, 1) and not editor_open(page)
    expect(cell(card, 3, 1)).to_have_text(before[(3, 1)]["text"])
    expect(cell(card, 3, 1)).not_to_have_attribute("data-edited", "true")

    # Shift+arrows select a range, Alt+M merges it; Ctrl+Z undoes the merge, then the edit; Ctrl+Y redoes.
    page.keyboard.press("Shift+ArrowRight")
    expect(cell(card, 3, 2)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Alt+m")
    expect(cell(card, 3, 1)).to_have_attribute("colspan", "2")
    expect(cell(card, 3, 2)).to_have_count(0)
    card.screenshot(path=str(ARTIFACTS / "edit-05-keyboard-merged.png"))
    page.keyboard.press("Control+z")
    expect(cell(card, 3, 2)).to_have_count(1)
    expect(cell(card, 3, 1)).not_to_have_attribute("colspan", "2")
    page.keyboard.press("Control+z")
    expect(cell(card, 2, 1)).to_have_text(original)
    expect(cell(card, 2, 1)).not_to_have_attribute("data-edited", "true")
    assert focused(page) == (2, 1), "undo puts the focus back on the cell it changed"
    page.keyboard.press("Control+y")
    expect(cell(card, 2, 1)).to_have_text("10:00-12:00")
    page.keyboard.press("Control+z")
    expect(cell(card, 2, 1)).to_have_text(original)
    expect(card.get_by_test_id("undo")).to_be_disabled()

    # Back where it started: whatever was saved meanwhile, the server ends with the recognised table.
    expect(save_status(card)).to_have_attribute("data-state", "saved", timeout=SAVE_TIMEOUT_MS)
    final = by_pos(server_table(stack, job_id))
    assert {p: c["text"] for p, c in final.items()} == {p: c["text"] for p, c in before.items()}


def _wrong_total_table() -> bytes:
    """A bordered table whose Feb total reads 110 while its cells add up to 100: the reader is sure of every
    digit, the table's own sums say otherwise (the Jan total adds up, so the row is meant to sum)."""
    rows = [
        ["Item", "Jan", "Feb"],
        ["Rent", "120", "45"],
        ["Power", "80", "30"],
        ["Water", "100", "25"],
        ["Total", "300", "110"],
    ]
    w, h, margin = 160, 48, 20
    img = Image.new("RGB", (3 * w + 2 * margin, len(rows) * h + 2 * margin), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=26)
    for r in range(len(rows) + 1):
        draw.line([(margin, margin + r * h), (margin + 3 * w, margin + r * h)], fill="black", width=2)
    for c in range(4):
        draw.line([(margin + c * w, margin), (margin + c * w, margin + len(rows) * h)], fill="black", width=2)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            draw.text((margin + c * w + 12, margin + r * h + 10), text, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_next_doubtful_cell_visits_each_and_counts_down(page: Page, stack: LocalStack) -> None:
    """Doubtful cells come first: the ones read with low confidence and the ones of a total that does not
    add up (the table's own check), visited in reading order by 'Next doubtful cell' / Alt+N."""
    page.locator("#file-input").set_input_files(
        FilePayload(name="budget.png", mimeType="image/png", buffer=_wrong_total_table())
    )
    card = page.locator('[data-testid=file-card][data-filename="budget.png"]').first
    expect(card).to_have_attribute("data-status", "done", timeout=CONVERT_TIMEOUT_MS)
    job_id = card.get_attribute("data-job-id")
    assert job_id
    table = server_table(stack, job_id)
    doubtful = sorted(
        (c["row"], c["col"])
        for c in table["cells"]
        if (c["confidence"] is not None and c["confidence"] < 0.6 and c["text"].strip()) or c.get("check")
    )
    flagged = {(c["row"], c["col"]) for c in table["cells"] if c.get("check")}
    assert flagged == {(1, 2), (2, 2), (3, 2), (4, 2)}, "the Feb column and its total are flagged"
    assert by_pos(table)[(4, 1)].get("formula") == "SUM(B2:B4)"  # the Jan total adds up: a live formula
    section = card.locator("[data-testid=table-preview]").first
    count = section.get_by_test_id("doubtful-count")
    expect(count).to_have_attribute("data-count", str(len(doubtful)))
    # They come first: the grid's one tab stop starts on the first of them.
    stop = grid(card).locator("[tabindex='0']")
    assert (int(stop.get_attribute("data-row") or -1), int(stop.get_attribute("data-col") or -1)) == doubtful[
        0
    ]
    expect(cell(card, 4, 2)).to_have_attribute("title", re.compile("does not match the sum"))
    # The button (and Alt+N) visits them in reading order, wrapping round.
    section.get_by_test_id("next-doubtful").click()
    seen = [focused(page)]
    for _ in doubtful[1:]:
        page.keyboard.press("Alt+n")
        seen.append(focused(page))
    assert seen == doubtful
    page.keyboard.press("Alt+n")
    assert focused(page) == doubtful[0]
    # Fixing one: it is no longer doubtful but edited, and the count goes down.
    first = cell(card, *doubtful[0])
    expect(first).to_have_class(DOUBTFUL)
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    expect(first).not_to_have_class(DOUBTFUL)
    expect(first).to_have_attribute("data-edited", "true")
    expect(count).to_have_attribute("data-count", str(len(doubtful) - 1))
    card.screenshot(path=str(ARTIFACTS / "edit-06-doubtful.png"))
    expect(section.get_by_test_id("save-status")).to_have_attribute(
        "data-state", "saved", timeout=SAVE_TIMEOUT_MS
    )
    saved = by_pos(server_table(stack, job_id))[doubtful[0]]
    assert saved["edited"] is True and saved["confidence"] == 1.0


def test_refused_save_keeps_edits_across_a_reload_and_blocks_stale_download(
    page: Page, stack: LocalStack
) -> None:
    card = convert(page, IMAGE)
    job_id = card.get_attribute("data-job-id")
    assert job_id
    # Saves are refused the way the API refuses (4xx with a message) until the server is "back".
    refused: list[str] = []
    server_back = False

    def refuse_until_back(route: Any) -> None:
        if route.request.method == "PUT" and not server_back:
            refused.append(route.request.url)
            route.fulfill(
                status=409, content_type="application/json", body='{"message": "the job is not done yet"}'
            )
        else:
            route.continue_()

    page.route("**/api/jobs/*/tables/*", refuse_until_back)
    cell(card, *NUMBER_CELL).click()
    grid(card).get_by_test_id("cell-editor").fill(NUMBER_TEXT)
    page.keyboard.press("Enter")
    status = save_status(card)
    expect(status).to_have_attribute("data-state", "failed", timeout=SAVE_TIMEOUT_MS)
    expect(status).to_contain_text("the job is not done yet")
    expect(cell(card, *NUMBER_CELL)).to_have_text(NUMBER_TEXT)  # the edit stays in the page
    card.screenshot(path=str(ARTIFACTS / "edit-07-refused.png"))

    downloads: list[Any] = []
    page.on("download", lambda d: downloads.append(d))
    card.get_by_role("button", name="Download .xlsx").click()
    expect(card.get_by_test_id("download-note")).to_have_text(
        "Not downloaded: your edits are not saved yet (the job is not done yet)."
    )
    expect(page.locator("#announcer")).to_contain_text("Not downloaded: your edits are not saved yet")
    page.wait_for_timeout(500)
    assert downloads == [], "a workbook without the edits was downloaded"
    assert len(refused) == 2, "the download did not try to save first"
    assert set(refused) == {f"{stack.url}/api/jobs/{job_id}/tables/0"}
    expect(status).to_have_attribute("data-state", "failed")

    # Leaving the page asks first; after a reload the unsaved edit comes back from this browser and is
    # sent again (refused again: the message shows again).
    dialogs: list[str] = []

    def leave(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.reload()
    assert dialogs == ["beforeunload"]
    card = page.locator(f'[data-testid=file-card][data-job-id="{job_id}"]')
    status = save_status(card)
    expect(card).to_have_attribute("data-status", "done", timeout=30_000)
    expect(cell(card, *NUMBER_CELL)).to_have_text(NUMBER_TEXT)
    expect(cell(card, *NUMBER_CELL)).to_have_attribute("data-edited", "true")
    expect(status).to_have_attribute("data-state", "failed", timeout=SAVE_TIMEOUT_MS)
    expect(status).to_contain_text("the job is not done yet")
    assert len(refused) == 3

    server_back = True
    status.get_by_role("button", name="Retry saving").click()
    expect(status).to_have_attribute("data-state", "saved", timeout=SAVE_TIMEOUT_MS)
    sheet = download_xlsx(page, card, "edit-retried.xlsx")
    assert sheet[ref(*NUMBER_CELL)].value == pytest.approx(1234.5)

    # Saved: nothing is kept back any more; a reload shows the server's copy, with no question asked.
    page.reload()
    card = page.locator(f'[data-testid=file-card][data-job-id="{job_id}"]')
    expect(card).to_have_attribute("data-status", "done", timeout=30_000)
    expect(cell(card, *NUMBER_CELL)).to_have_attribute("data-edited", "true")
    expect(save_status(card)).to_have_attribute("data-state", "clean")
    assert dialogs == ["beforeunload"]


def test_reload_brings_back_conversions_with_a_result_only(page: Page) -> None:
    good = convert(page, IMAGE)
    page.locator("#file-input").set_input_files(
        FilePayload(name="notes.png", mimeType="image/png", buffer=b"plain text, renamed to .png\n" * 40)
    )
    bad = page.locator('[data-testid=file-card][data-filename="notes.png"]')
    expect(bad).to_have_attribute("data-status", "failed", timeout=CONVERT_TIMEOUT_MS)
    good_id = good.get_attribute("data-job-id")
    page.reload()
    cards = page.locator("[data-testid=file-card]")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_attribute("data-job-id", good_id or "")
    expect(cards.first).to_have_attribute("data-status", "done", timeout=30_000)
    # Removing a card forgets it: it does not come back either.
    cards.first.get_by_role("button", name=f"Remove {IMAGE}.png").click()
    page.reload()
    expect(page.get_by_role("heading", name="img2xlsx")).to_be_visible()
    page.wait_for_timeout(500)
    expect(cards).to_have_count(0)


def test_phone_tap_to_edit_and_merge(browser: Browser, stack: LocalStack) -> None:
    phone = browser.new_context(
        base_url=stack.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        page = phone.new_page()
        page.goto("/")
        card = convert(page, IMAGE)
        cell(card, *TEXT_CELL).tap()
        editor = grid(card).get_by_test_id("cell-editor")
        expect(editor).to_be_focused()
        editor.fill("Tapped")
        select = card.get_by_test_id("select-mode")
        expect(select).to_be_visible()  # no Shift key on a phone: a toggle selects ranges instead
        select.tap()  # also closes the editor, keeping the text
        expect(cell(card, *TEXT_CELL)).to_have_text("Tapped")
        expect(select).to_have_attribute("aria-pressed", "true")
        cell(card, *MERGE_FROM).tap()
        cell(card, *MERGE_TO).tap()
        card.get_by_test_id("merge").tap()
        expect(cell(card, *MERGE_FROM)).to_have_attribute("colspan", "2")
        # Targets a finger can hit (44 CSS px), and nothing wider than the screen outside the table.
        for target in (card.get_by_test_id("merge"), card.get_by_test_id("undo"), cell(card, 3, 3)):
            box = target.bounding_box()
            assert box and box["height"] >= 43.5, box
        assert (
            page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        )
        expect(save_status(card)).to_have_attribute("data-state", "saved", timeout=SAVE_TIMEOUT_MS)
        page.screenshot(path=str(ARTIFACTS / "edit-08-phone.png"), full_page=True)
    finally:
        phone.close()


def test_production_build_has_no_source_maps() -> None:
    assets = list((DIST / "assets").iterdir())
    assert any(p.suffix == ".js" for p in assets)
    assert not [p for p in DIST.rglob("*.map")]
    for path in (p for p in assets if p.suffix in (".js", ".css")):
        assert "sourceMappingURL" not in path.read_text(encoding="utf-8"), path
