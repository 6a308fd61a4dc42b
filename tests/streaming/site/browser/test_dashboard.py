"""The live page as a dashboard of the run: every declared lane from the start, elapsed times,
overall progress, a banner with the full reason, "no events for N s", an event's details, and a
Cancel that ends in the right state."""

from __future__ import annotations

import json
import re

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming import Event, bound_session, emit, flush
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.stories import finished, running, timed
from tests.streaming.site.browser.viewports import PHONE, clipboard, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANES = ("supervisor", "research", "architect", "codesmith", "reviewer")


async def emit_events(session_id, *events: Event) -> None:
    with bound_session(session_id):
        for event in events:
            await emit(event)
        await flush()


def lane(page, agent: str):
    return page.locator(f'.lane[data-agent="{agent}"]')


async def test_every_lane_is_there_from_the_start_and_time_and_progress_move(
    browser, daphne_url, watch
):
    user = await sync_to_async(make_user)("alice")
    session = await sync_to_async(make_session)(user, query="Not started yet")
    page = await open_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    agents = await page.eval_on_selector_all("#lanes .lane", "n => n.map(l => l.dataset.agent)")
    assert agents == list(LANES)  # declared, in order, before any event
    for agent in LANES:
        await expect(lane(page, agent)).to_have_attribute("data-state", "pending")
        await expect(lane(page, agent).locator(".lane-phase")).to_have_text("pending")
    await expect(page.locator("#overall-text")).to_have_text("0% · 0 of 5 agents done")
    await expect(page.locator("#elapsed")).to_have_text("Waiting to start")

    await emit_events(
        session.id,
        Event.for_session("started", "Session started"),
        Event.decision(next="research", reasoning="Nothing is known yet", confidence=0.9),
        Event.for_agent("research", "progress", "Read 1 of 2", pct=0.5),
    )
    await expect(page.locator("#elapsed")).to_contain_text("Running for")
    await expect(lane(page, "research")).to_have_attribute("data-state", "active")
    await expect(lane(page, "research").locator(".lane-pct")).to_have_text("50%")
    await expect(lane(page, "architect")).to_have_attribute("data-state", "pending")
    # The supervisor routes the work: four lanes work, one is half done.
    await expect(page.locator("#overall-text")).to_have_text("13% · 0 of 4 agents done")
    await expect(lane(page, "research").locator(".lane-elapsed")).to_contain_text("Active")
    await emit_events(
        session.id,
        Event.for_agent("research", "result", "2 files", data={"files": 2}),
        Event.for_agent("architect", "progress", "Parsed 1 of 4", pct=0.25),
    )
    await expect(page.locator("#overall-text")).to_have_text("31% · 1 of 4 agents done")
    await expect(lane(page, "research")).to_have_attribute("data-state", "done")
    research_ms = int(
        await lane(page, "research").locator(".lane-elapsed").get_attribute("data-ms")
    )
    await page.wait_for_function(  # the open activation's clock runs on
        "ms => Number(document.querySelector('.lane[data-agent=architect] .lane-elapsed')"
        "?.dataset.ms) > ms + 900",
        arg=0,
    )
    await expect(lane(page, "research").locator(".lane-elapsed")).to_have_attribute(
        "data-ms", str(research_ms)
    )  # a closed activation does not
    await watch.shot(page, "dashboard-running")


async def test_a_failed_session_shows_the_full_reason_and_no_lane_looks_busy(
    browser, daphne_url, watch
):
    user = await sync_to_async(make_user)("alice")
    reason = "The architect could not read pkg/broken.py: " + "a very long explanation " * 12
    session = await timed(
        user,
        [
            (0.0, Event.for_session("started", "Session started")),
            (0.1, Event.decision(next="research", reasoning="Start", confidence=1.0)),
            (0.2, Event.for_agent("research", "progress", "Read 7 of 9", pct=0.77)),
            (0.4, Event.for_agent("research", "error", "pkg/broken.py is not UTF-8")),
            (0.5, Event.for_session("failed", reason, data={"reason": "workflow_error"})),
        ],
    )
    page = await open_page(browser, daphne_url, watch, user, viewport=PHONE)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    banner = page.locator("#session-banner")
    await expect(banner).to_be_visible()
    await expect(banner.locator(".banner-title")).to_have_text("This session failed")
    await expect(banner.locator(".banner-reason")).to_have_text(reason)  # whole, not cut
    await expect(banner).to_contain_text("(workflow_error)")
    await expect(banner).to_contain_text("pkg/broken.py is not UTF-8")
    await expect(lane(page, "research")).to_have_attribute("data-state", "failed")
    await expect(lane(page, "architect")).to_have_attribute("data-state", "skipped")
    await expect(lane(page, "architect").locator(".lane-phase")).to_have_text("not run")
    await expect(page.locator("#report")).to_have_text(
        "No report: the session failed before Codesmith wrote one."
    )
    await expect(page.locator("#elapsed")).to_have_text("Ran for 0.5 s")
    await watch.shot(page, "dashboard-failed-phone")


async def test_cancel_ends_in_the_right_state(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await running(user)
    page = await open_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    await emit_events(
        session.id,
        Event.for_session("started", "Session started"),
        Event.for_agent("research", "progress", "Read 77 of 100", pct=0.77),
    )
    await expect(lane(page, "research").locator(".lane-pct")).to_have_text("77%")
    await page.click("#cancel-button")
    await expect(page.locator("#cancel-button")).to_have_text("Cancelling…")
    # The runner's part, as a runner would store it.
    await emit_events(
        session.id,
        Event.for_session(
            "cancelled",
            "Session cancelled at the user's request",
            data={"reason": "cancel_requested"},
        ),
    )
    await expect(page.locator("#session-status")).to_have_attribute("data-status", "cancelled")
    await expect(page.locator("#cancel-button")).to_have_text("Cancel")
    await expect(page.locator("#cancel-button")).to_be_disabled()
    await expect(page.get_by_text("Cancelling")).to_have_count(0)
    research = lane(page, "research")
    await expect(research).to_have_attribute("data-state", "stopped")
    await expect(research.locator(".lane-phase")).to_have_text("cancelled")
    await expect(research.locator(".lane-pct")).to_have_text("77% when stopped")
    await expect(page.locator("#report")).to_have_text(
        "No report: the session was cancelled before Codesmith wrote one."
    )
    await expect(page.locator("#session-banner .banner-title")).to_have_text(
        "This session was cancelled"
    )
    await watch.shot(page, "dashboard-cancelled")


async def test_a_quiet_running_session_says_so(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await running(user)
    page = await open_page(browser, daphne_url, watch, user)
    await page.clock.install()  # time flows as usual, and the test may move it on
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await emit_events(session.id, Event.for_session("started", "Session started"))
    await expect(page.locator("#session-status")).to_have_attribute("data-status", "running")
    await expect(page.locator("#quiet")).to_be_hidden()
    await page.clock.run_for(15_000)
    await expect(page.locator("#quiet")).to_be_visible()
    await expect(page.locator("#quiet")).to_have_text(
        re.compile(r"^No events for (1[5-9]|[2-9]\d) s$")
    )
    await emit_events(session.id, Event.for_agent("research", "think", "Back at work"))
    await expect(page.locator("#quiet")).to_be_hidden()


async def test_clicking_an_event_shows_its_details_like_the_replay(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await finished(user)
    page = await open_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "ended")
    await page.click('#events [data-seq="8"]')
    detail = page.locator("#event-detail .detail")
    await expect(detail).to_have_attribute("data-detail-seq", "8")
    await expect(detail).to_have_class("detail is-error")
    await expect(detail.locator(".detail-data")).to_contain_text('"line": 3')
    await expect(page.locator('#events [data-seq="8"]')).to_have_class(re.compile("selected"))
    await page.click("#detail-copy")
    await expect(page.locator("#detail-copied")).to_have_text("Copied the event's JSON")
    copied = json.loads(await clipboard(page))
    assert copied["seq"] == 8
    assert copied["data"] == {"line": 3}
    await page.keyboard.press("j")  # the next event's details
    await expect(detail).to_have_attribute("data-detail-seq", "9")
    await page.keyboard.press("k")
    await page.keyboard.press("k")
    await expect(detail).to_have_attribute("data-detail-seq", "7")
    await watch.shot(page, "dashboard-details")
