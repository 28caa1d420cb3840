"""Shared helpers for the delivery tests: repository paths, workflows and CloudFormation templates as data."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cfn_yaml import load_cfn

__all__ = ["load_cfn"]

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
DEPLOY = ROOT / "deploy"


def load_workflow(name: str) -> dict[str, Any]:
    raw: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean True
    return {("on" if key is True else str(key)): value for key, value in raw.items()}


def tool(name: str) -> str:
    """Path of a command-line tool from the project's venvs or PATH; a missing tool fails the test loudly."""
    for candidate in (Path(sys.executable).parent / name, ROOT / ".venv-sam" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: `make setup` (dev extra / apt) must provide it")
    return found


@pytest.fixture(scope="session")
def workflows() -> dict[str, dict[str, Any]]:
    """Every workflow file, parsed, by file name."""
    return {p.name: load_workflow(p.name) for p in sorted(WORKFLOWS.glob("*.yml"))}
