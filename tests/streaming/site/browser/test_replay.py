"""The replay in a real browser: timing, play/pause, scrubber, steps, keys, lanes, deep links."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming import Event
from streaming.log.store import record_events
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENTS = ("research", "architect", "codesmith")
AGENT_OF = "nodes => nodes.map(node => node.dataset.agent)"
PHASE_OF = "nodes => nodes.map(node => node.dataset.phase)"


def spaced(count: int, *, step_ms: int = 100, gap_after: int | None = None) -> list[Event]:
    """`started`, agent work `step_ms` apart (10 minutes of silence after `gap_after`), the end."""
    start = datetime.now(UTC) - timedelta(hours=1)
    made = [Event.for_session("started", "Session started")]
    for i in range(1, count - 1):
        agent = AGENTS[(i - 1) * len(AGENTS) // (count - 2)]
        if i % 10 == 0:
            made.append(Event.decision(next=agent, reasoning=f"Step {i}", confidence=0.8))
        elif i == 17:
            made.append(Event.for_agent(agent, "error", "Could not parse bad.py", data={"line": 3}))
        else:
            made.append(Event.for_agent(agent, "progress", f"{agent} step {i}", pct=0.5))
    made.append(Event.for_session("completed", "Session completed"))
    out, ts = [], start
    for i, event in enumerate(made):
        ts += timedelta(milliseconds=step_ms)
        if gap_after is not None and i == gap_after:
            ts += timedelta(minutes=10)
        out.append(
            Event(
                t=event.t,
                phase=event.phase,
                msg=event.msg,
                agent=event.agent,
                pct=event.pct,
                data=event.data,
                ts=ts,
            )
        )
    return out


async def stored_session(count: int = 60, **kwargs):
    user = await sync_to_async(make_user)("alice")
    session = await sync_to_async(make_session)(user, query="Replay me")
    await sync_to_async(record_events)(session_id=session.id, events=spaced(count, **kwargs))
    await session.arefresh_from_db()
    return user, session


async def playhead(page) -> int:
    return int(await page.get_attribute("#player", "data-playhead"))


async def open_replay(browser, base, watch, user, session, suffix: str = ""):
    page = await new_page(browser, base, watch, user)
    await page.goto(f"{base}/sessions/{session.id}/replay/{suffix}")
    await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
    return page


async def test_replay_plays_pauses_scrubs_and_steps(browser, daphne_url, watch):
    # 0.9 s between events (under the idle-gap cut): 53 s at 1x, whatever the machine's load.
    user, session = await stored_session(60, step_ms=900)
    page = await open_replay(browser, daphne_url, watch, user, session)
    await expect(page.locator("#session-status")).to_have_attribute("data-status", "completed")
    assert await playhead(page) == 0
    await page.click("#play-button")
    await expect(page.locator("#player")).to_have_attribute("data-playing", "true")
    await expect(page.locator("#events [data-seq]").nth(1)).to_be_attached()
    await page.keyboard.press("Space")  # pause (focus is on the Play button: its own click)
    await expect(page.locator("#player")).to_have_attribute("data-playing", "false")
    paused_at = await playhead(page)
    assert 1 < paused_at < 60  # 1x: 53 s of session time, not all at once
    await page.wait_for_timeout(400)
    assert await playhead(page) == paused_at
    assert f"#seq={paused_at}" in page.url  # pausing leaves a deep link

    await page.locator("#scrubber").fill("30")
    assert await playhead(page) == 30
    await expect(page.locator("#position")).to_have_text("#30 of 60")
    await expect(page.locator("#events .event.current")).to_have_attribute("data-seq", "30")
    await page.locator("#replay-list").focus()
    await page.keyboard.press("ArrowRight")
    assert await playhead(page) == 31
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("ArrowLeft")
    assert await playhead(page) == 29
    await page.click("#next-button")
    assert await playhead(page) == 30
    await page.locator("#replay-list").focus()
    await page.keyboard.press("Space")
    await expect(page.locator("#player")).to_have_attribute("data-playing", "true")
    await page.keyboard.press("Space")
    await expect(page.locator("#player")).to_have_attribute("data-playing", "false")

    await page.select_option("#speed", "instant")
    assert await playhead(page) == 60
    shown = await page.eval_on_selector_all("[data-seq]", "n => n.map(e => e.dataset.seq)")
    assert len(shown) == len(set(shown))  # each seq once
    assert len(shown) < 60  # only the rows in view are in the DOM
    await watch.shot(page, "replay-end")


async def test_skip_idle_gaps_jumps_over_silence(browser, daphne_url, watch):
    user, session = await stored_session(20, gap_after=10)  # a 10-minute silence
    page = await open_replay(browser, daphne_url, watch, user, session)
    await page.select_option("#speed", "16")
    await page.click("#play-button")
    # Without skipping, 10 minutes at 16x would take 37 s.
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "20", timeout=15_000)
    await expect(page.locator("#player")).to_have_attribute("data-playing", "false")


async def test_deep_links_restore_the_playhead(browser, daphne_url, watch):
    user, session = await stored_session(60)
    page = await open_replay(browser, daphne_url, watch, user, session, "#seq=12")
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "12")
    await expect(page.locator("#event-detail [data-detail-seq]")).to_have_attribute(
        "data-detail-seq", "12"
    )
    await page.evaluate("location.hash = '#seq=40'")  # only the hash changes
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "40")
    await page.reload()
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "40")


async def test_lanes_details_and_filters(browser, daphne_url, watch):
    user, session = await stored_session(60)
    page = await open_replay(browser, daphne_url, watch, user, session)
    rows = page.locator("#gantt-rows .gantt-row")
    await expect(rows).to_have_count(4)  # supervisor and three agents; session events have none
    for agent in ("supervisor", *AGENTS):
        await expect(
            page.locator(f'.gantt-row[data-agent="{agent}"] .gantt-bar').first
        ).to_be_visible()
    await page.click(".gantt-bar.phase-error")
    await expect(page.locator("#event-detail .detail.is-error")).to_contain_text("Could not parse")
    await expect(page.locator("#event-detail .detail-data")).to_contain_text('"line": 3')
    assert await playhead(page) == 18  # the playhead moved to the clicked event
    playhead_left = await page.locator("#gantt-playhead").evaluate("n => n.style.left")
    assert "calc(" in playhead_left

    await page.select_option("#speed", "instant")
    await page.select_option("#filter-agent", "research")
    agents = await page.eval_on_selector_all(
        "#events [data-seq]", "n => n.map(e => e.dataset.agent)"
    )
    assert agents
    assert set(agents) == {"research"}
    await page.select_option("#filter-agent", "")
    await page.select_option("#filter-phase", "decision")
    phases = await page.eval_on_selector_all(
        "#events [data-seq]", "n => n.map(e => e.dataset.phase)"
    )
    assert set(phases) == {"decision"}
    assert len(phases) == 5
    await page.select_option("#filter-phase", "")
    await page.fill("#filter-search", "step 33")
    await expect(page.locator("#events [data-seq]")).to_have_count(1)
    await expect(page.locator("#events [data-seq]")).to_have_attribute("data-seq", "34")
    await page.click("#events [data-seq]")
    await expect(page.locator("#event-detail .detail-msg")).to_have_text("architect step 33")
    await watch.shot(page, "replay-filtered")


async def test_a_share_link_replays_and_exports_without_login(browser, daphne_url, watch):
    _, session = await stored_session(30)
    page = await new_page(browser, daphne_url, watch)  # nobody logged in
    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/?token={session.share_token}")
    await expect(page.locator("#player")).to_have_attribute("data-state", "ready")
    await page.select_option("#speed", "instant")
    assert await playhead(page) == 30
    href = await page.get_attribute("#export-button", "href")
    assert href.endswith(f"?token={session.share_token}")
    async with page.expect_download() as download_info:
        await page.click("#export-button")
    download = await download_info.value
    path = await download.path()
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["seq"] for e in events] == list(range(1, 31))
    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/")
    await expect(page).to_have_url(
        f"{daphne_url}/accounts/login/?next=/sessions/{session.id}/replay/"
    )
