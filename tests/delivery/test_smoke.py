"""deploy/smoke.py, the deploy workflow's last step, run for real against the local stack (same API)."""

from __future__ import annotations

import email
import email.policy
import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

import openpyxl
import pytest

from deploy import smoke

from .conftest import DEPLOY, ROOT

SMOKE = DEPLOY / "smoke.py"
FIXTURE = DEPLOY / "fixtures" / "smoke-table.png"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_smoke(*args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SMOKE), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`img2xlsx serve` on a free port with its own data folder, one conversion worker."""
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("local-stack")
    path = os.pathsep.join(str(ROOT / p) for p in ("layers/img2xlsx/python", "local"))
    env = {**os.environ, "PYTHONPATH": path, "OMP_THREAD_LIMIT": "1"}
    log = (data_dir / "server.log").open("w")
    cmd = [sys.executable, "-m", "img2xlsx_local", "--port", str(port), "--data-dir", str(data_dir)]
    proc = subprocess.Popen([*cmd, "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"the local stack exited with {proc.returncode}: {(data_dir / 'server.log').read_text()}"
                )
            try:
                with urlopen(base + "/api/jobs/not-a-job", timeout=2):
                    break
            except HTTPError:  # any HTTP answer (here a 404) means the server is up
                break
            except (URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail("the local stack did not answer within 60 s")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_smoke_passes_against_the_local_stack(local_stack: str) -> None:
    proc = _run_smoke("--base-url", local_stack, "--image", str(FIXTURE), "--timeout", "120")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("smoke: OK")
    for step in ("created job", "uploaded 11430 bytes", "job done", "downloaded workbook"):
        assert step in proc.stdout


def test_smoke_reports_the_reason_of_a_failed_job(local_stack: str, tmp_path: Path) -> None:
    broken = tmp_path / "not-really.png"
    broken.write_bytes(b"this is text, not a PNG image" * 20)
    proc = _run_smoke("--base-url", local_stack, "--image", str(broken), "--timeout", "60")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "smoke: FAILED: job" in proc.stderr and "failed:" in proc.stderr
    assert "no reason given" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_smoke_fails_in_one_line_when_the_api_is_unreachable() -> None:
    proc = _run_smoke("--base-url", f"http://127.0.0.1:{_free_port()}", "--timeout", "5", timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("smoke: FAILED: POST")
    assert "/api/jobs" in proc.stderr


def test_multipart_sends_policy_fields_before_the_file() -> None:
    fields = {"key": "uploads/abc/table.png", "Content-Type": "image/png", "policy": "eyJ9"}
    body, content_type = smoke.multipart(fields, "table.png", "image/png", b"\x89PNG\r\nbytes")
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    parts = list(message.iter_parts())
    names = [part.get_param("name", header="content-disposition") for part in parts]
    assert names == ["key", "Content-Type", "policy", "file"]
    assert parts[-1].get_content_type() == "image/png"
    assert parts[-1].get_payload(decode=True) == b"\x89PNG\r\nbytes"
    assert parts[0].get_payload(decode=True) == b"uploads/abc/table.png"


def test_check_workbook_counts_sheets_and_rejects_other_files() -> None:
    wb = openpyxl.Workbook()
    wb.create_sheet("Table 2")
    buf = io.BytesIO()
    wb.save(buf)
    assert smoke.check_workbook(buf.getvalue(), min_tables=2) == 2
    with pytest.raises(smoke.SmokeError, match="at least 3"):
        smoke.check_workbook(buf.getvalue(), min_tables=3)
    with pytest.raises(smoke.SmokeError, match=r"not an \.xlsx"):
        smoke.check_workbook(b"<html>error page</html>", min_tables=1)
