"""SECURITY.md claims about the engine's output, the local stack and the SPA that no other test covers."""

from __future__ import annotations

import argparse
import io
import re
import stat
import zipfile
from pathlib import Path

from img2xlsx.jobs.converter import Conversion
from img2xlsx.jobs.service import JobService
from img2xlsx.jobs.settings import Settings
from img2xlsx.model import Cell, Document, Table
from img2xlsx.values import type_table
from img2xlsx.writers.xlsx import write_xlsx
from img2xlsx_local.cli import configure
from img2xlsx_local.server import purge_expired
from img2xlsx_local.signing import load_or_create_secret
from img2xlsx_local.stores import open_stores
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[2]
FORMULA_LIKE = ["=1+2", '=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(A1)", "=-2+3"]


def test_formula_like_text_is_never_a_formula() -> None:
    """CSV/formula injection: what OCR read is stored as text, so opening the workbook runs nothing."""
    cells = [Cell(r, 0, text) for r, text in enumerate(FORMULA_LIKE)]
    table = Table(len(cells), 1, cells)
    type_table(table)
    buf = io.BytesIO()
    write_xlsx(Document(tables=[table]), buf)
    sheet_xml = zipfile.ZipFile(io.BytesIO(buf.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    for row, text in enumerate(FORMULA_LIKE, start=1):
        assert ws.cell(row, 1).data_type == "s" and ws.cell(row, 1).value == text


def test_expired_jobs_and_their_files_are_purged(tmp_path: Path) -> None:
    """The local stand-in for the buckets' lifecycle rules and the table's TTL removes job and files."""
    stores = open_stores(tmp_path / "data")
    now = [1_800_000_000.0]
    service = JobService(
        stores.objects,
        stores.objects,
        stores.jobs,
        converter=lambda data, name, langs=("eng",): Conversion(
            xlsx=b"PK-xlsx", json={"tables": []}, tables=0
        ),
        settings=Settings(job_ttl=3600),
        clock=lambda: now[0],
    )
    old = service.create_job("old.png", "image/png", 4).job
    stores.objects.put_bytes(old.upload_key, b"\x89PNG", "image/png")
    assert service.process_upload(old.upload_key).action == "converted"
    now[0] += 7200
    fresh = service.create_job("fresh.png", "image/png", 4).job
    stores.objects.put_bytes(fresh.upload_key, b"\x89PNG", "image/png")
    assert purge_expired(stores, now=now[0]) == 1
    assert stores.jobs.get(old.job_id) is None
    assert all(old.job_id not in key for key in list(stores.objects.keys()))
    assert stores.jobs.get(fresh.job_id) is not None and stores.objects.size(fresh.upload_key) == 4


def test_local_server_listens_on_loopback_by_default() -> None:
    parser = argparse.ArgumentParser()
    configure(parser)
    assert parser.parse_args([]).host == "127.0.0.1"


def test_signing_key_is_private_to_its_owner(tmp_path: Path) -> None:
    key_path = tmp_path / "data" / "secret.key"
    key = load_or_create_secret(key_path)
    assert len(key) >= 32
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert load_or_create_secret(key_path) == key  # links signed before a restart stay valid


def test_spa_renders_user_text_as_text() -> None:
    """File names, error reasons and cell text reach the page through textContent, never as markup."""
    sources = sorted((REPO / "frontend" / "src").rglob("*.ts"))
    assert sources
    sink = re.compile(
        r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\("
    )
    offenders = [
        f"{p.name}:{n}"
        for p in sources
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if sink.search(line)
    ]
    assert not offenders, offenders
