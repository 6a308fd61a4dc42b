"""Browser tests: Playwright driving Debian's Chromium against a real daphne server.

The server is a separate process serving `project.asgi:application` with DJANGO_DEBUG=0 (so its
static files come from the ASGI app itself) on a free port, on the test database (SQLite file or
PostgreSQL) and, when REDIS_URL is set, the same Redis. Tests that write to the database use
`django_db(transaction=True)`, so the server sees their rows. Without Chromium the tests skip,
and fail instead when AGENTSTREAM_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from streaming import testing

ROOT = Path(settings.BASE_DIR)
CHROMIUM = os.environ.get("AGENTSTREAM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Deadlines, not timings: generous, since other test runs share this machine's two cores.
EXPECT_TIMEOUT_MS = 20_000
#: A file name and a query that would run script if anything rendered them as HTML.
XSS = "<img src=x onerror=window.__xss=1>"


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary (skips without one, fails if services are required)."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if testing.services_required():
        pytest.fail(f"{reason} and AGENTSTREAM_REQUIRE_SERVICES=1")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace root with the shipped `sample` and `xss`, whose file names hold markup."""
    root = tmp_path_factory.mktemp("workspaces")
    shutil.copytree(ROOT / "agents" / "workspaces" / "sample", root / "sample")
    xss = root / "xss"
    xss.mkdir()
    (xss / f"{XSS}.py").write_text("import helper\n\nVALUE = helper.twice(2)\n")
    (xss / "helper.py").write_text("def twice(x):\n    return 2 * x\n")
    return root


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots and the server's log go: AGENTSTREAM_TEST_ARTIFACTS if set (CI keeps
    them there), else this run's temporary folder; never the checkout."""
    configured = os.environ.get("AGENTSTREAM_TEST_ARTIFACTS")
    folder = Path(configured) if configured else tmp_path_factory.getbasetemp() / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def daphne_url(
    chromium: str,
    django_db_setup: Any,
    django_db_blocker: Any,
    workspace_root: Path,
    artifacts: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Start daphne on a free port against the test database; yield its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": testing.database_url(),
        "DJANGO_DEBUG": "0",
        # The test process's key: sessions it logs in (force_login) are valid on the server.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AGENTSTREAM_WORKSPACE_ROOT": str(workspace_root),
        "AGENTSTREAM_REPORT_DIR": str(tmp_path_factory.mktemp("reports")),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log_path = artifacts / "daphne.log"
    log = log_path.open("w")
    daphne = Path(sys.executable).with_name("daphne")
    process = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "project.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"daphne exited with {process.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=1) as response:  # noqa: S310
                    return response.status == 200
            except OSError as error:
                raise AssertionError(f"no answer yet ({error!r}); see {log_path}") from error

        testing.eventually_sync(answers, within=30, interval=0.1, what=f"daphne at {base}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    # The server's log must hold no error: one there is a bug even if the pages coped.
    text = log_path.read_text(errors="replace")
    errors = re.findall(r"^\d{4}-\d\d-\d\d [\d:,]+ (?:ERROR|CRITICAL) .*$", text, re.M)
    assert not errors, f"the server logged errors (see {log_path}): {errors}"


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class PageWatch:
    """What a page said on its console (CSP violations and script errors fail the test), and
    the screenshots kept of it."""

    def __init__(self, artifacts: Path) -> None:
        self.errors: list[str] = []
        self.artifacts = artifacts

    def attach(self, page: Any) -> Any:
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(f"console: {msg.text}")
                if "Content Security Policy" in msg.text or "Refused to" in msg.text
                else None
            ),
        )
        page.on("dialog", lambda dialog: self.errors.append(f"dialog: {dialog.message}"))
        return page

    async def shot(self, page: Any, name: str) -> None:
        """Keep a screenshot of the page as a test artifact."""
        await page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)


@pytest.fixture
def watch(artifacts: Path) -> Iterator[PageWatch]:
    watcher = PageWatch(artifacts)
    yield watcher
    assert watcher.errors == []


def session_cookie(user: Any, base: str) -> dict[str, Any]:
    """A Playwright cookie holding a logged-in Django session of `user` (shared database)."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies["sessionid"].value,
        "url": base,
    }


async def new_page(browser: Any, base: str, watch: PageWatch, user: Any = None) -> Any:
    """A page in a fresh context, logged in as `user` if given."""
    from asgiref.sync import sync_to_async

    context = await browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    if user is not None:
        await context.add_cookies([await sync_to_async(session_cookie)(user, base)])
    page = await context.new_page()
    page.set_default_timeout(EXPECT_TIMEOUT_MS)
    return watch.attach(page)
