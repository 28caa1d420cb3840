"""Shared helpers for the delivery tests: repository paths and YAML that tolerates CloudFormation tags."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
DEPLOY = ROOT / "deploy"


class _CfnLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub, !GetAtt ... as {"Fn": value} so templates can be inspected as data."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_cfn(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load(path.read_text(), Loader=_CfnLoader)  # a SafeLoader subclass
    return data


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
