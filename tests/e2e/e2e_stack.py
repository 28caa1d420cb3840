"""Run the real local stack (``img2xlsx serve``) as a separate process tree for the end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

# Debian's Chromium (what .ci/run installs); $IMG2XLSX_CHROMIUM or an installed Chrome elsewhere (CI runners).
CHROMIUM = os.environ.get("IMG2XLSX_CHROMIUM") or next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/google-chrome") if os.path.exists(p)), "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CONVERT_TIMEOUT_MS = 180_000

REPO = Path(__file__).resolve().parents[2]
# The benchmark: $IMG2XLSX_BENCH_DIR, else ../shared/bench beside the repository (as bench/ and CI).
BENCH = Path(os.environ.get("IMG2XLSX_BENCH_DIR") or REPO.parent / "shared" / "bench") / "synthetic"
ARTIFACTS = REPO / "tests" / "artifacts"
DIST = REPO / "frontend" / "dist"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_image(name: str) -> tuple[Path, dict[str, Any]]:
    """A benchmark image and its ground truth."""
    gt = json.loads((BENCH / f"{name}.json").read_text())
    image = next(p for p in BENCH.glob(f"{name}.*") if p.suffix in (".png", ".jpg"))
    return image, gt


class LocalStack:
    """``img2xlsx serve`` on a free port with its own data folder; stop() or kill() the whole process tree."""

    def __init__(self, data_dir: Path, log_path: Path, workers: int = 2, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.workers = workers
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> LocalStack:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO / "layers/img2xlsx/python"), str(REPO / "local"), env.get("PYTHONPATH")])
        )
        env["OMP_THREAD_LIMIT"] = "1"
        env["IMG2XLSX_FRONTEND_DIST"] = str(DIST)
        cmd = [sys.executable, "-m", "img2xlsx.cli", "serve", "--port", str(self.port)]
        cmd += ["--data-dir", str(self.data_dir), "--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/config.json", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"the server did not come up in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    def _signal(self, sig: int, timeout: float) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(10)

    def stop(self) -> int | None:
        """Ctrl+C-like stop (SIGINT to the process group); returns the exit code."""
        return self._signal(signal.SIGINT, 30)

    def kill(self) -> None:
        """The hard way: every process of the tree dies at once (power cut, OOM killer)."""
        self._signal(signal.SIGKILL, 10)
        if self.proc is not None:
            # Reap any worker that outlived its parent for a moment.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
