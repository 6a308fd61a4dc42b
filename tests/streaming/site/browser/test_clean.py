"""A clean console and log: the pages ask for nothing the server lacks (no 404 for an asset or
the favicon), log no error or warning in the browser, and the server writes each warning once."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming import Event, bound_session, emit
from streaming.testing import eventually
from tests.conftest import make_user
from tests.streaming.site.browser.audit import Strict
from tests.streaming.site.browser.stories import finished, running
from tests.streaming.site.browser.viewports import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


async def test_the_pages_leave_a_clean_console(browser, daphne_url, watch):
    """(At phone sizes, test_responsive.py checks the same on every page.)"""
    user = await sync_to_async(make_user)("alice", staff=True)
    done = await finished(user)
    live = await running(user)
    page = await open_page(browser, daphne_url, watch, user)
    strict = Strict(page)
    await page.goto(f"{daphne_url}/")
    await page.goto(f"{daphne_url}/sessions/{live.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    with bound_session(live.id):
        await emit(Event.for_session("started", "Session started"))
        await emit(Event.for_session("completed", "Session completed"), wait=True)
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "ended")
    await page.goto(f"{daphne_url}/sessions/{done.id}/replay/")
    await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
    await page.select_option("#speed", "instant")
    await expect(page.locator("#report .report-body")).to_be_visible()
    for path in ("/accounts/logout/", "/admin/", f"/admin/streaming/session/{done.id}/change/"):
        await page.goto(f"{daphne_url}{path}")
    strict.assert_clean()


async def test_the_server_logs_each_warning_once(browser, daphne_url, watch, artifacts):
    staff = await sync_to_async(make_user)("sam", staff=True)
    log = artifacts / "daphne.log"
    start = log.stat().st_size
    page = await open_page(browser, daphne_url, watch, staff)
    missing = f"/no-such-page-{uuid.uuid4().hex}/"
    await page.goto(f"{daphne_url}{missing}")
    await page.goto(f"{daphne_url}/admin/streaming/event/add/")  # a 403

    def logged() -> str:
        with log.open(errors="replace") as text:
            text.seek(start)
            written = text.read()
        assert "Forbidden (Permission denied): /admin/streaming/event/add/" in written, written
        return written

    written = await eventually(logged, what="the server's warnings")
    assert written.count(f"Not Found: {missing}") == 1, written
    assert written.count("Forbidden (Permission denied): /admin/streaming/event/add/") == 1
    assert written.count("Traceback") <= 1, written
