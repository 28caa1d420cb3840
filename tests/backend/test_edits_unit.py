"""The edit route's rules on in-memory stores: a finished job's table replaced by the user's grid (retyped,
edited cells marked, workbook and preview rewritten), and every hostile edit refused with a specific 4xx
while the stored objects stay byte for byte what they were."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from typing import Any

import pytest
from img2xlsx.jobs.edits import MAX_CELLS, MAX_TEXT
from img2xlsx.jobs.errors import RequestError
from img2xlsx.jobs.service import JobService
from img2xlsx.jobs.settings import Settings
from img2xlsx.writers.html import to_html
from img2xlsx.writers.json_read import from_json
from openpyxl import load_workbook

from .conftest import PNG_MAGIC, Clock, load_handler
from .edit_fixtures import document_converter, honest_edit, hostile_edits, with_cells
from .fakes import MemoryJobStore, MemoryObjectStore

job_api = load_handler("functions/api/job_api.py")


class EditRig:
    def __init__(self) -> None:
        self.uploads, self.results, self.jobs = MemoryObjectStore(), MemoryObjectStore(), MemoryJobStore()
        self.clock = Clock()
        self.service = JobService(
            self.uploads,
            self.results,
            self.jobs,
            converter=document_converter,
            settings=Settings(),
            clock=self.clock,
        )

    def done_job(self, name: str = "prices.png") -> str:
        job = self.service.create_job(name, "image/png", 20).job
        self.uploads.put_bytes(job.upload_key, PNG_MAGIC + b"x" * 12, "image/png")
        assert self.service.process_upload(job.upload_key).action == "converted"
        return job.job_id

    def put(self, job_id: str, index: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """What the API answers: status and body (the edge's parsing, the service, the error mapping)."""
        try:
            return 200, job_api.edit_table(self.service, job_id, index, body)
        except RequestError as exc:
            return job_api.http_status(exc), {"message": exc.message}

    def stored(self, job_id: str) -> tuple[bytes, dict[str, Any]]:
        job = self.service.get_job(job_id)
        assert job is not None and job.result is not None
        return self.results.objects[job.result.xlsx_key][0], json.loads(
            self.results.objects[job.result.json_key][0]
        )


@pytest.fixture
def rig() -> EditRig:
    return EditRig()


def cell(preview: dict[str, Any], table: int, row: int, col: int) -> dict[str, Any]:
    return next(c for c in preview["tables"][table]["cells"] if (c["row"], c["col"]) == (row, col))


def test_an_edit_retypes_marks_and_rewrites_the_workbook_and_preview(rig: EditRig) -> None:
    job_id = rig.done_job()
    xlsx_before, preview_before = rig.stored(job_id)
    assert cell(preview_before, 0, 2, 1)["value"]["kind"] == "text"  # the misread price was not a number
    rig.clock.advance(30)

    status, view = rig.put(job_id, "0", honest_edit())

    assert status == 200 and view["status"] == "done" and view["jobId"] == job_id
    assert view["result"]["xlsxUrl"].startswith(f"mem://download/results/{job_id}/prices.xlsx")
    assert view["updatedAt"] == rig.clock.now
    xlsx, preview = rig.stored(job_id)
    price = cell(preview, 0, 2, 1)
    assert (
        price["text"] == "1,234.50"
        and price["value"]["kind"] == "number"
        and price["value"]["value"] == 1234.5
    )
    assert price["edited"] is True and price["confidence"] == 1.0
    assert price["bbox"] == [50, 40, 100, 60]  # still points at the picture's cell
    renamed = cell(preview, 0, 2, 0)
    assert renamed["text"] == "Espresso" and renamed["edited"] is True
    untouched = cell(preview, 0, 1, 1)
    assert (
        "edited" not in untouched and untouched["confidence"] == 0.91 and untouched["value"]["value"] == 1200
    )
    merged = cell(preview, 0, 0, 0)
    assert (merged["colspan"], merged["header"], merged["edited"]) == (2, True, True)
    assert all((c["row"], c["col"]) != (0, 1) for c in preview["tables"][0]["cells"])  # covered by the merge
    assert preview["tables"][1] == preview_before["tables"][1]  # the other table is untouched
    assert preview["lines"] == preview_before["lines"] and preview["source"] == "prices.png"

    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb["Table 1"]
    assert ws["B3"].value == 1234.5 and ws["B3"].data_type == "n"
    assert ws["A3"].value == "Espresso" and ws["B3"].comment is None  # no longer doubtful
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B1"] and ws["A1"].value == "Item and price"
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert wb["Table 2"]["A2"].value == 1 and xlsx != xlsx_before


def test_a_second_edit_keeps_the_first_ones_marks(rig: EditRig) -> None:
    job_id = rig.done_job()
    assert rig.put(job_id, "0", honest_edit())[0] == 200
    again = honest_edit()
    again["cells"][9]["text"] = "88"  # Milk's price
    assert rig.put(job_id, "0", again)[0] == 200
    _, preview = rig.stored(job_id)
    assert cell(preview, 0, 2, 1)["edited"] is True  # edited the first time, unchanged the second
    assert cell(preview, 0, 3, 1)["edited"] is True and cell(preview, 0, 3, 1)["value"]["value"] == 88
    assert "edited" not in cell(preview, 0, 1, 0)


def test_the_users_header_rows_stay_header_even_over_numbers(rig: EditRig) -> None:
    """Recognition's typing hands 'header' rows holding amounts back to the body; the user's choice wins."""
    job_id = rig.done_job()
    body = honest_edit() | {"nHeaderRows": 2}
    assert rig.put(job_id, "0", body)[0] == 200
    xlsx, preview = rig.stored(job_id)
    assert preview["tables"][0]["n_header_rows"] == 2
    tea_price = cell(preview, 0, 1, 1)
    assert tea_price["header"] is True and tea_price["value"] == {
        "kind": "text",
        "value": "1,200.00",
        "number_format": "General",
    }
    ws = load_workbook(io.BytesIO(xlsx))["Table 1"]
    assert ws["B2"].value == "1,200.00" and ws["B2"].font.b and ws.freeze_panes == "A3"


def test_script_and_formula_text_is_stored_as_text(rig: EditRig) -> None:
    job_id = rig.done_job()
    body = honest_edit()
    body["cells"][5]["text"] = "<script>alert(1)</script>"
    body["cells"][8]["text"] = '=HYPERLINK("http://evil.example","x")'
    assert rig.put(job_id, "0", body)[0] == 200
    xlsx, preview = rig.stored(job_id)
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(xlsx))["Table 1"]
    assert ws["A3"].value == "<script>alert(1)</script>" and ws["A4"].data_type == "s"
    html = to_html(from_json(preview))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_largest_allowed_edit_is_accepted(rig: EditRig) -> None:
    job_id = rig.done_job()
    n_rows, n_cols = MAX_CELLS // 100, 100
    cells = [
        {"row": r, "col": c, "rowspan": 1, "colspan": 1, "text": f"{r * c}.5"}
        for r in range(n_rows)
        for c in range(n_cols)
    ]
    cells[-1]["text"] = "y" * MAX_TEXT
    status, view = rig.put(job_id, "1", {"nRows": n_rows, "nCols": n_cols, "nHeaderRows": 0, "cells": cells})
    assert status == 200, view
    _, preview = rig.stored(job_id)
    assert (
        len(preview["tables"][1]["cells"]) == MAX_CELLS and cell(preview, 1, 3, 4)["value"]["value"] == 12.5
    )


@pytest.mark.parametrize(("name", "body", "words"), hostile_edits(), ids=[h[0] for h in hostile_edits()])
def test_hostile_edits_are_refused_and_change_nothing(rig: EditRig, name: str, body: Any, words: str) -> None:
    job_id = rig.done_job()
    objects_before = copy.deepcopy(rig.results.objects)
    job_before = rig.service.get_job(job_id)
    status, reply = rig.put(job_id, "0", body)
    assert status == 400, (name, reply)
    assert words in reply["message"], reply["message"]
    assert rig.results.objects == objects_before and rig.service.get_job(job_id) == job_before


def test_wrong_jobs_tables_and_states_are_refused_and_change_nothing(rig: EditRig) -> None:
    mine, other = rig.done_job("mine.png"), rig.done_job("other.png")
    waiting = rig.service.create_job("later.png", "image/png", 10).job.job_id
    objects_before = copy.deepcopy(rig.results.objects)
    cases = [
        (("A" * 24, "0"), 404, "no such job"),
        (("../" + mine, "0"), 404, "no such job"),
        ((mine, "2"), 404, "has no table 2"),  # two tables: 0 and 1
        ((mine, "-1"), 404, "no such table"),
        ((mine, "1e0"), 404, "no such table"),
        ((mine, "99999"), 404, "no such table"),
        ((waiting, "0"), 409, "awaiting upload"),
    ]
    for (job_id, index), status, words in cases:
        code, reply = rig.put(job_id, index, honest_edit())
        assert (code, words in reply["message"]) == (status, True), (job_id, index, reply)
    assert rig.results.objects == objects_before
    assert rig.service.get_job(other).updated_at == rig.service.get_job(mine).updated_at  # type: ignore[union-attr]


def test_a_failed_job_cannot_be_edited(rig: EditRig) -> None:
    job = rig.service.create_job("bad.png", "image/png", 10).job
    rig.uploads.put_bytes(job.upload_key, b"not a picture", "image/png")
    rig.service.converter = lambda data, name: (_ for _ in ()).throw(ValueError("x"))  # type: ignore[assignment]
    failed = rig.service.fail_upload(job.upload_key, "gave up")
    assert failed is not None and failed.status == "failed"
    code, reply = rig.put(job.job_id, "0", with_cells(honest_edit()["cells"]))
    assert code == 409 and "failed" in reply["message"]


def _totals_edit(total: str) -> dict[str, Any]:
    rows = [["Item", "Price"], ["Tea", "10.50"], ["Coffee", "20.25"], ["Milk", "4.00"], ["Total", total]]
    cells = [
        {"row": r, "col": c, "rowspan": 1, "colspan": 1, "text": t}
        for r, row in enumerate(rows)
        for c, t in enumerate(row)
    ]
    return {"nRows": 5, "nCols": 2, "nHeaderRows": 1, "cells": cells}


def test_an_edited_table_checks_its_totals_again_and_stays_schema_valid(rig: EditRig) -> None:
    """Retyping runs recognition's totals check: a total that adds up becomes a SUM formula, one the user
    typed wrong is flagged (the preview's 'check'), and the rewritten preview matches the JSON schema."""
    jsonschema = pytest.importorskip("jsonschema")
    from img2xlsx.writers.json import load_schema

    job_id = rig.done_job()
    assert rig.put(job_id, "0", _totals_edit("34.75"))[0] == 200
    xlsx, preview = rig.stored(job_id)
    jsonschema.validate(preview, load_schema())
    total = cell(preview, 0, 4, 1)
    assert total["formula"] == "SUM(B2:B4)" and total["value"]["value"] == 34.75 and "check" not in total
    assert load_workbook(io.BytesIO(xlsx))["Table 1"]["B5"].value == "=SUM(B2:B4)"

    assert rig.put(job_id, "0", _totals_edit("38.75"))[0] == 200  # one digit off
    _, preview = rig.stored(job_id)
    jsonschema.validate(preview, load_schema())
    total = cell(preview, 0, 4, 1)
    assert "formula" not in total and "does not match the sum of B2:B4" in total["check"]
    assert total["edited"] is True and "Part of the total" in cell(preview, 0, 1, 1)["check"]


def test_an_edit_is_retyped_in_the_documents_language() -> None:
    """A German table's edited '1.234' is 1234 (1.234 in English): the document's language drives the
    re-typing."""
    from img2xlsx.jobs.edits import CellEdit, TableEdit, edited_table
    from img2xlsx.model import Cell, Table

    cells = [Cell(0, 0, "Betrag", header=True), Cell(1, 0, "9,99")]
    old = Table(n_rows=2, n_cols=1, cells=cells, n_header_rows=1)
    typed = (CellEdit(0, 0, 1, 1, "Betrag"), CellEdit(1, 0, 1, 1, "1.234"))
    edit = TableEdit(n_rows=2, n_cols=1, n_header_rows=1, cells=typed)
    english = edited_table(old, edit)
    assert english.cells[1].value is not None and english.cells[1].value.value == 1.234
    german = edited_table(old, edit, ("deu",))
    assert german.cells[1].value is not None and german.cells[1].value.value == 1234
    assert german.cells[1].edited
