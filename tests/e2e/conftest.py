"""What every browser test shares: one local stack per test module (its log named after the module), one
Chromium per module, and a page in a fresh context that fails the test if it breaks its security policy or
throws."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_stack import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DIST, LocalStack
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The local stack for one test module; ``STACK_WORKERS`` in the module sets its conversion workers."""
    assert (DIST / "index.html").is_file(), "build the web app first: make frontend"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.module.__name__.removeprefix("test_e2e_")
    workers = getattr(request.module, "STACK_WORKERS", 2)
    server = LocalStack(tmp_path_factory.mktemp("data"), ARTIFACTS / f"{name}-server.log", workers=workers)
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, stack: LocalStack) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=stack.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    problems: list[str] = []
    ctx.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    ctx.on("weberror", lambda e: problems.append(f"uncaught: {e.error}"))
    yield ctx
    ctx.close()
    assert problems == [], "the page broke its security policy or threw"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="img2xlsx")).to_be_visible()
    return page
