"""The admin for auditors: times to the millisecond in UTC, progress as a percentage, status in
colour, a session's events in seq order under a filter that names its query, links from the
admin to the pages and back, and a favicon on every admin page."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from tests.conftest import make_session, make_user
from tests.streaming.site.browser.audit import Strict
from tests.streaming.site.browser.stories import finished
from tests.streaming.site.browser.viewports import DESKTOP, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MILLISECONDS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")
BACKGROUND = "n => getComputedStyle(n).backgroundColor"


async def test_an_auditor_reads_sessions_and_events(browser, daphne_url, watch):
    owner = await sync_to_async(make_user)("alice")
    staff = await sync_to_async(make_user)("sam", staff=True)
    done = await finished(owner, query="Map the imports of the sample")
    failed = await finished(owner, query="This one failed", end="failed")
    await sync_to_async(make_session)(owner, query="Still waiting")
    page = await open_page(browser, daphne_url, watch, staff, viewport=DESKTOP)
    strict = Strict(page)

    await page.goto(f"{daphne_url}/admin/streaming/session/")
    created = await page.locator("#result_list td.field-created_utc").all_text_contents()
    assert created
    assert all(MILLISECONDS.match(text) for text in created), created
    await expect(page.locator("#result_list thead")).to_contain_text("Created (UTC)")
    badges = {
        status: await page.locator(f'.as-status[data-status="{status}"]').first.evaluate(BACKGROUND)
        for status in ("completed", "failed", "pending")
    }
    assert len(set(badges.values())) == 3, badges  # each status its own colour
    assert "rgba(0, 0, 0, 0)" not in badges.values()
    await watch.shot(page, "admin-audit-sessions")

    row = page.locator("#result_list tbody tr", has_text="Map the imports of the sample")
    await row.get_by_role("link", name="Events").click()
    await expect(page).to_have_url(re.compile(rf"\?session={done.id}$"))
    seqs = [int(s) for s in await page.locator("#result_list th.field-seq").all_text_contents()]
    assert seqs == list(range(1, done.last_seq + 1))  # one session: in seq order
    chosen = page.locator("#changelist-filter li.selected", has_text="Map the imports")
    await expect(chosen).to_have_count(1)  # the session filter names the query, not an id
    progress = await page.locator("#result_list td.field-progress").all_text_contents()
    assert "50 %" in progress
    assert "100 %" in progress
    await watch.shot(page, "admin-audit-events")

    await page.locator("#result_list th.field-seq a", has_text=re.compile(r"^8$")).click()
    fields = page.locator("fieldset")
    await expect(fields).to_contain_text("Time (UTC):")
    await expect(fields).to_contain_text("Type:")
    await expect(fields).to_contain_text("Message:")
    for terse in ("T:", "Ts:", "Msg:"):
        assert terse not in (await fields.inner_text()).split()
    time_text = await page.locator(".field-time .readonly").text_content()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC", time_text.strip())
    await page.get_by_role("link", name="Replay at #8").click()  # from the admin to the page
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "8")
    await page.click("#admin-link")  # and back
    await expect(page).to_have_url(re.compile(rf"/admin/streaming/session/{done.id}/change/$"))
    await expect(page.locator(".field-status_badge .as-status")).to_have_text("Completed")
    await page.get_by_role("link", name="Live", exact=True).click()
    await expect(page.locator("#session-status")).to_have_attribute("data-status", "completed")
    await page.goto(f"{daphne_url}/admin/streaming/session/{failed.id}/change/")
    await expect(page.locator(".field-status_badge .as-status")).to_have_attribute(
        "data-status", "failed"
    )

    await page.goto(f"{daphne_url}/admin/")
    icon = page.locator('link[rel="icon"]')
    await expect(icon).to_have_attribute("href", "/static/streaming/favicon.svg")
    strict.assert_clean()  # no /favicon.ico (nor anything else) answered 404
    response = await page.request.get(f"{daphne_url}/favicon.ico", max_redirects=0)
    assert response.status == 301
    assert response.headers["location"] == "/static/streaming/favicon.svg"
