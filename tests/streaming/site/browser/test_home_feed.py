"""The home page follows its sessions live (no reload), searches and filters them, and pages
through more than 50; and the first run has something worth watching: a showcase workspace
prepared from Django's own source, suggested on the home page."""

from __future__ import annotations

import re

import django
import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming import Event, bound_session, emit, flush
from streaming.log.models import Session
from streaming.site.showcase import prepare_from_package
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.audit import Strict
from tests.streaming.site.browser.stories import finished, running
from tests.streaming.site.browser.viewports import PHONE, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Records every state each lane card of the live page leaves (they change faster than a poll
#: can see, and several times between two observer callbacks: hence the old values).
LANE_RECORDER = """
window.__lanes = {};
new MutationObserver((changes) => {
  for (const change of changes) {
    const lane = change.target;
    if (!lane.classList || !lane.classList.contains("lane")) continue;
    (window.__lanes[lane.dataset.agent] ||= []).push(change.oldValue);
  }
}).observe(document, {
  attributes: true, attributeFilter: ["data-state"], attributeOldValue: true, subtree: true,
});
"""


def row(page, session):
    return page.locator(f'#sessions tr[data-session="{session.id}"]')


async def test_statuses_follow_the_sessions_live(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    done = await finished(user, query="Already over")
    waiting = await sync_to_async(make_session)(user, query="Not started")
    busy = await running(user, query="Busy now")
    page = await open_page(browser, daphne_url, watch, user, viewport=PHONE)
    strict = Strict(page)
    await page.goto(f"{daphne_url}/")
    await page.evaluate("window.__sameDocument = true")
    await expect(row(page, busy).locator(".status-badge")).to_have_attribute(
        "data-status", "running"
    )
    with bound_session(waiting.id):
        await emit(Event.for_session("started", "Session started"))
        await flush()
    await expect(row(page, waiting).locator(".status-badge")).to_have_attribute(
        "data-status", "running"
    )
    with bound_session(busy.id):
        await emit(Event.for_agent("research", "progress", "Read 1 of 2", pct=0.5))
        await emit(Event.for_session("completed", "Session completed"), wait=True)
    badge = row(page, busy).locator(".status-badge")
    await expect(badge).to_have_attribute("data-status", "completed")
    await expect(badge).to_have_text("Completed")
    await expect(row(page, busy).locator("[data-cell=events]")).to_have_text("2")
    await expect(row(page, done).locator(".status-badge")).to_have_text("Completed")
    assert await page.evaluate("window.__sameDocument") is True  # no reload
    await watch.shot(page, "home-live-statuses-phone")
    strict.assert_clean()


async def test_search_filter_and_pages_past_fifty(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")

    @sync_to_async
    def sixty_sessions() -> None:
        for i in range(60):
            make_session(user, query=f"{'needle' if i % 3 == 0 else 'hay'} number {i}")
        Session.objects.filter(owner=user, query__endswith="number 3").update(status="failed")

    await sixty_sessions()
    page = await open_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/")
    await expect(page.locator("#sessions tbody tr")).to_have_count(50)
    await expect(page.locator(".pager")).to_contain_text("Page 1 of 2 · 60 sessions")
    await page.click(".pager a[rel=next]")
    await expect(page.locator("#sessions tbody tr")).to_have_count(10)
    await expect(page.locator("#sessions")).to_contain_text("number 0")  # the oldest

    await page.keyboard.press("/")  # the search shortcut
    await page.keyboard.type("needle")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"\?q=needle&status=$"))
    await expect(page.locator("#sessions tbody tr")).to_have_count(20)
    await page.select_option("#filter-status", "failed")
    await page.click("#session-filters button[type=submit]")
    await expect(page.locator("#sessions tbody tr")).to_have_count(1)
    await expect(page.locator("#sessions")).to_contain_text("needle number 3")
    await page.fill("#search-sessions", "no such words")
    await page.click("#session-filters button[type=submit]")
    await expect(page.locator("#no-sessions-match")).to_be_visible()
    await watch.shot(page, "home-no-match")


async def test_the_first_run_is_worth_watching(browser, daphne_url, watch, workspace_root):
    user = await sync_to_async(make_user)("alice")
    showcase, _ = await sync_to_async(prepare_from_package)(
        django,
        root=workspace_root,
        name="django",
        title=f"Django {django.get_version()}",
        query="Survey Django's own source",
    )
    assert showcase.modules > 800
    page = await open_page(browser, daphne_url, watch, user)
    await page.add_init_script(LANE_RECORDER)
    await page.goto(f"{daphne_url}/")
    card = page.locator('.showcase[data-workspace="django"]')
    await expect(card).to_contain_text(f"{showcase.modules} modules")
    await watch.shot(page, "home-showcase")
    await card.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    await expect(page.locator("#session-status")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    await expect(page.locator("#overall-text")).to_have_text("100% · 4 of 4 agents done")
    await expect(page.locator("#report .report-body")).to_contain_text("django")
    await watch.shot(page, "first-run-completed")
    # Visible work: every working lane was seen at work, then done, over a run of seconds with
    # hundreds of events to watch.
    lanes = await page.evaluate("window.__lanes")
    for agent in ("research", "architect", "codesmith", "reviewer"):
        assert "active" in lanes[agent], (agent, lanes[agent])  # a state it left
        await expect(page.locator(f'.lane[data-agent="{agent}"]')).to_have_attribute(
            "data-state", "done"
        )
    ran = await page.locator("#elapsed").text_content()
    assert float(re.fullmatch(r"Ran for ([\d.]+) s", ran).group(1)) >= 1.0, ran
    assert int(await page.locator("#event-count").text_content()) > 80
