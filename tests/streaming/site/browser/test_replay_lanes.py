"""The replay's lanes: the idle start trimmed and said so, durations per lane and activation,
zoom and pan; and a search that matches nothing says so."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming import Event
from tests.conftest import make_user
from tests.streaming.site.browser.stories import timed
from tests.streaming.site.browser.viewports import DESKTOP, PHONE, assert_fits, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: 30 s of nothing, then research (2 s), the supervisor (0.5 s), research again (1.5 s).
TIMELINE = [
    (0.0, Event.for_session("started", "Session started")),
    (30.0, Event.for_agent("research", "think", "Listing the workspace")),
    (30.5, Event.for_agent("research", "progress", "Read 1 of 2", pct=0.5)),
    (31.0, Event.for_agent("research", "progress", "Read 2 of 2", pct=1.0)),
    (32.0, Event.decision(next="research", reasoning="Look again", confidence=0.6)),
    (32.5, Event.for_agent("research", "progress", "Read 1 of 1", pct=1.0)),
    (33.0, Event.for_agent("research", "result", "3 files", data={"files": 3})),
    (34.0, Event.for_session("completed", "Session completed")),
]


async def open_replay(browser, base, watch, user, session, **kwargs):
    page = await open_page(browser, base, watch, user, **kwargs)
    await page.goto(f"{base}/sessions/{session.id}/replay/")
    await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
    return page


async def test_the_idle_start_is_trimmed_and_durations_are_shown(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await timed(user, TIMELINE)
    page = await open_replay(browser, daphne_url, watch, user, session)
    note = page.locator("#gantt-note")
    await expect(note).to_be_visible()
    await expect(note).to_contain_text("The first 0:30.000 had no agent at work")
    await expect(page.locator(".gantt-tick").first).to_have_text("+0:30.000")
    first_bar = page.locator('.gantt-row[data-agent="research"] .gantt-bar').first
    assert await first_bar.evaluate("b => b.style.left") == "0%"  # the lanes start at the work

    research = page.locator('.gantt-row[data-agent="research"]')
    await expect(research.locator(".gantt-total")).to_have_attribute("data-ms", "3500")
    await expect(research.locator(".gantt-total")).to_have_text("3.5 s · 2\N{MULTIPLICATION SIGN}")
    acts = research.locator(".gantt-act")
    assert await acts.evaluate_all("n => n.map(a => a.dataset.durationMs)") == ["2000", "1500"]
    await expect(acts.first).to_have_attribute("title", "Research: 2.0 s (#2\N{EN DASH}#4)")
    supervisor = page.locator('.gantt-row[data-agent="supervisor"]')
    await expect(supervisor.locator(".gantt-total")).to_have_attribute("data-ms", "500")
    await watch.shot(page, "replay-trimmed-durations")


async def test_zoom_and_pan_the_lanes(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await timed(user, TIMELINE)
    page = await open_replay(browser, daphne_url, watch, user, session, viewport=DESKTOP)
    gantt = page.locator("#gantt")
    assert await gantt.evaluate("g => g.scrollWidth <= g.clientWidth")  # fits at 1x
    await page.click("#zoom-in")
    await page.click("#zoom-in")
    await expect(page.locator("#zoom-level")).to_have_text("4\N{MULTIPLICATION SIGN}")
    widths = await gantt.evaluate("g => [g.scrollWidth, g.clientWidth]")
    assert widths[0] > 3 * widths[1] * 0.9, widths
    await assert_fits(page, "the replay zoomed in")  # the lanes scroll, not the page

    box = await gantt.bounding_box()
    before = await gantt.evaluate("g => g.scrollLeft")
    y = box["y"] + 8  # on the time axis: no bar there to click instead
    await page.mouse.move(box["x"] + box["width"] * 0.8, y)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=5)
    await page.mouse.up()
    after = await gantt.evaluate("g => g.scrollLeft")
    assert after > before + 200, (before, after)  # dragged left: the view moved right

    await page.locator("#replay-list").focus()
    await page.keyboard.press("+")
    await expect(page.locator("#zoom-level")).to_have_text("8\N{MULTIPLICATION SIGN}")
    await page.keyboard.press("-")
    await expect(page.locator("#zoom-level")).to_have_text("4\N{MULTIPLICATION SIGN}")
    await watch.shot(page, "replay-zoomed")
    await page.keyboard.press("0")
    await expect(page.locator("#zoom-level")).to_have_text("1\N{MULTIPLICATION SIGN}")
    assert await gantt.evaluate("g => g.scrollWidth <= g.clientWidth && g.scrollLeft === 0")


async def test_a_search_that_matches_nothing_says_so(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await timed(user, TIMELINE)
    page = await open_replay(browser, daphne_url, watch, user, session, viewport=PHONE)
    hint = page.locator("#list-hint")
    await expect(hint).to_have_attribute("data-state", "start")
    await page.fill("#filter-search", "nothing like this")
    await expect(hint).to_have_attribute("data-state", "no-match")
    await expect(hint).to_have_text("No events match these filters.")
    await expect(page.locator("#event-count")).to_have_text("0 matching")
    await watch.shot(page, "replay-no-match-phone")
    await page.fill("#filter-search", "3 files")  # matches, but after the playhead (at the start)
    await expect(hint).to_have_text(
        "No matching events up to the playhead; 1 later on (press → or End)."
    )
    await page.locator("#replay-list").focus()  # (Esc in a search box would clear it)
    await page.keyboard.press("End")
    await expect(hint).to_be_hidden()
    await expect(page.locator("#events [data-seq]")).to_have_count(1)
    await page.fill("#filter-search", "")
    await expect(hint).to_be_hidden()
