"""A live API over the default dataset, and Debian's Chromium driven by Playwright.

Every page a test opens records its requests; any request that would leave 127.0.0.1 is
aborted and fails the test, and so does anything the Content-Security-Policy blocked.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, sync_playwright

from api.app import create_app
from tests.conftest import REPO, DefaultDataset, free_port

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(shared_dataset: DefaultDataset) -> Iterator[str]:
    """The API on a free loopback port, serving the shared default dataset in the test Neo4j."""
    settings = shared_dataset.ensure()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        pytest.fail("the live API did not start")
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API runs an event loop in this thread while it lives,
    which would break every later test that calls asyncio.run."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A browser page that records every request and refuses those leaving the machine."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # Chromium's CSP violation reports

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def visit(browser: Browser, live_server: str) -> Iterator[Visit]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    seen = Visit(page, live_server)

    def guard(route: Route) -> None:
        url = route.request.url
        seen.requests.append(url)
        if url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            seen.refused.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on(
        "console",
        lambda message: (
            seen.blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield seen
    context.close()
    assert seen.refused == [], f"requests tried to leave 127.0.0.1: {seen.refused}"
    assert seen.blocked == [], f"the Content-Security-Policy blocked: {seen.blocked}"
    assert seen.requests, "the test made no request at all"
