"""SECURITY.md stays honest: it has a threat model and a way to report, and every claim in its table names
at least one test that exists (so removing or renaming the test that keeps a promise fails here)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "SECURITY.md"
REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


@cache
def _test_names(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text())
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


def _claims() -> list[tuple[str, str]]:
    text = DOC.read_text()
    section = text.split("## What is protected, and how", 1)[1].split("\n## ", 1)[0]
    rows = [
        line
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith(("| Claim", "| ---"))
    ]
    out = []
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) == 3, row
        out.append((cells[0], cells[2]))
    return out


def test_security_md_has_threat_model_claims_and_reporting() -> None:
    text = DOC.read_text()
    for heading in ("## Threat model", "## What is protected, and how", "## Reporting a vulnerability"):
        assert heading in text
    assert len(_claims()) >= 10


def test_every_claim_names_tests_that_exist() -> None:
    for claim, tests in _claims():
        refs = REF.findall(tests)
        assert refs, f"claim without a test: {claim}"
        for file, name in refs:
            path = REPO / file
            assert path.is_file(), f"{claim}: {file} does not exist"
            assert name in _test_names(path), f"{claim}: {file}::{name} does not exist"
