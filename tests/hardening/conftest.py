"""Hardening fixtures: one real local stack (``img2xlsx serve`` as its own process tree) shared by the HTTP
tests of this folder, started through the end-to-end tests' ``LocalStack`` helper."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

E2E = Path(__file__).resolve().parents[1] / "e2e"
if str(E2E) not in sys.path:
    sys.path.insert(0, str(E2E))

from e2e_stack import LocalStack  # noqa: E402  (the shared helper that starts `img2xlsx serve`)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A served stack with one worker (the hardening inputs are small; CI shares two cores)."""
    root = tmp_path_factory.mktemp("hardening-stack")
    server = LocalStack(root / "data", root / "server.log", workers=1).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def client(stack: LocalStack) -> Iterator[httpx.Client]:
    """An HTTP client on the served stack."""
    with httpx.Client(base_url=stack.url, timeout=60) as c:
        yield c
