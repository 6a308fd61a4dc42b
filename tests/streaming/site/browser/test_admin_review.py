"""The admin in a real browser: staff list, filter and export events; others are refused."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming.log.store import record_events
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.conftest import new_page
from tests.streaming.site.conftest import timeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@sync_to_async
def two_sessions():
    owner = make_user("alice")
    sessions = [make_session(owner, query=f"session {i}") for i in (1, 2)]
    for session in sessions:
        record_events(session_id=session.id, events=timeline())
        session.refresh_from_db()
    return owner, sessions


async def test_staff_lists_filters_and_exports_events(browser, daphne_url, watch):
    _, (first, second) = await two_sessions()
    staff = await sync_to_async(make_user)("sam", staff=True)
    page = await new_page(browser, daphne_url, watch, staff)
    await page.goto(f"{daphne_url}/admin/streaming/event/")
    rows = page.locator("#result_list tbody tr")
    await expect(rows).to_have_count(first.last_seq + second.last_seq)
    await page.click('#changelist-filter a[href="?phase__exact=error"]')
    await expect(rows).to_have_count(2)
    await expect(page.locator("#result_list td.field-phase")).to_have_text(["error", "error"])
    await watch.shot(page, "admin-events-filtered")

    await page.goto(f"{daphne_url}/admin/streaming/session/")
    await page.check(f'input[name="_selected_action"][value="{second.pk}"]')
    await page.select_option('select[name="action"]', "export_events_jsonl")
    async with page.expect_download() as download_info:
        await page.click('button[name="index"]')
    download = await download_info.value
    lines = (await download.path()).read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, second.last_seq + 1))
    assert {e["sid"] for e in events} == {str(second.pk)}

    await page.goto(f"{daphne_url}/admin/streaming/session/{first.pk}/change/")
    await expect(page.locator("table.latest-events tbody tr")).to_have_count(first.last_seq)
    await page.goto(f"{daphne_url}/admin/streaming/event/add/")
    await expect(page.locator("body")).to_contain_text("403")
    await watch.shot(page, "admin-add-refused")


async def test_non_staff_users_are_refused(browser, daphne_url, watch):
    owner, _ = await two_sessions()
    page = await new_page(browser, daphne_url, watch, owner)
    await page.goto(f"{daphne_url}/admin/streaming/event/")
    await expect(page).to_have_url(f"{daphne_url}/admin/login/?next=/admin/streaming/event/")
    await expect(page.locator("body")).to_contain_text("not authorized to access this page")
