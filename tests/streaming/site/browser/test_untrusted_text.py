"""Agent text is untrusted: a query and a file name holding markup show as text and run nothing."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming.log.models import Event, Session
from tests.conftest import make_user
from tests.streaming.site.browser.conftest import XSS, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


async def assert_inert(page) -> None:
    """Nothing ran, and no element was made from the markup."""
    assert await page.evaluate("window.__xss") is None
    assert await page.evaluate("document.querySelectorAll('img').length") == 0


async def test_markup_in_a_query_and_a_file_name_shows_as_text(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    page = await new_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/")
    await page.fill("#id_query", f"Look at {XSS}")
    await page.select_option("#id_workspace", "xss")
    await page.click("#start-form button[type=submit]")
    await expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    await expect(page.locator("#session-status")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    await expect(page.locator("#session-query")).to_have_text(f"Look at {XSS}")
    session = await Session.objects.aget(owner=user)
    # The file name reached the events' messages and the report, and shows there as itself.
    naming = await Event.objects.filter(session=session, msg__contains=XSS).acount()
    assert naming > 0
    await expect(page.locator("#report .report-body")).to_contain_text(f"{XSS}.py")
    await assert_inert(page)
    await watch.shot(page, "untrusted-live")

    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/")
    await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
    await page.select_option("#speed", "instant")
    await expect(page.locator("#report .report-body")).to_contain_text(f"{XSS}.py")
    await page.fill("#filter-search", "onerror")
    await expect(page.locator("#event-count")).to_have_text(f"{naming} matching")
    rows = page.locator("#events [data-seq]")
    await expect(rows).to_have_count(min(naming, 20))
    await rows.first.click()
    await expect(page.locator("#event-detail .detail-msg")).to_contain_text(XSS)
    await assert_inert(page)

    await page.goto(f"{daphne_url}/")
    await expect(page.locator("#sessions .query-cell")).to_have_text(f"Look at {XSS}")
    await assert_inert(page)
