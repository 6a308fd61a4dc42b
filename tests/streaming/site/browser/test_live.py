"""The live session page in a real browser: the form, live events, reconnects, history."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming import Event, bound_session, emit, flush
from streaming.log.models import Event as EventRow
from streaming.log.models import Session
from streaming.log.store import record_events
from streaming.testing import eventually
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Records every connection state the page shows (it changes faster than a poll can see).
STATE_RECORDER = """
window.__states = [];
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("connection-state");
  if (!node) return;
  new MutationObserver(() => window.__states.push(node.dataset.state))
    .observe(node, { attributes: true, attributeFilter: ["data-state"] });
});
"""


@sync_to_async
def stored_seqs(session_id) -> list[int]:
    return list(EventRow.objects.for_session(session_id).values_list("seq", flat=True))


async def shown_seqs(page) -> list[int]:
    return await page.eval_on_selector_all(
        "[data-seq]", "nodes => nodes.map(n => Number(n.dataset.seq))"
    )


async def running_session(username: str = "alice"):
    user = await sync_to_async(make_user)(username)
    session = await sync_to_async(make_session)(user, query="Watch me run")
    await Session.objects.filter(pk=session.pk).aupdate(
        status="running", started_at=datetime.now(UTC)
    )
    return user, session


async def emit_work(session_id, agent: str, count: int, *, start: bool = False) -> None:
    """Emit `count` progress events of `agent` (after `started` if `start`) through the bus."""
    with bound_session(session_id):
        if start:
            await emit(Event.for_session("started", "Session started"))
        for i in range(1, count + 1):
            await emit(Event.for_agent(agent, "progress", f"{agent} step {i}", pct=i / count))
        await flush()


async def test_start_a_session_from_the_form_and_watch_it_complete(browser, daphne_url, watch):
    await sync_to_async(make_user)("alice")
    page = await new_page(browser, daphne_url, watch)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    await page.goto(f"{daphne_url}/")
    await expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    await page.fill("#id_username", "alice")
    await page.fill("#id_password", "pw-alice")
    await page.click("form button[type=submit]")
    await expect(page).to_have_url(f"{daphne_url}/")
    await page.fill("#id_query", "Map the sample workspace")
    await page.select_option("#id_workspace", "sample")
    await page.click("#start-form button[type=submit]")
    await expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/$"))
    await expect(page.locator("#session-query")).to_have_text("Map the sample workspace")
    await expect(page.locator("#session-status")).to_have_attribute(
        "data-status", "completed", timeout=60_000
    )
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "ended")
    session = await Session.objects.aget(owner__username="alice")
    stored = await stored_seqs(session.id)
    assert stored == list(range(1, session.last_seq + 1))
    await expect(page.locator("#events [data-seq]")).to_have_count(len(stored))
    assert await shown_seqs(page) == stored
    for agent in ("supervisor", "research", "architect", "codesmith", "reviewer"):
        await expect(page.locator(f'.lane[data-agent="{agent}"]')).to_be_visible()
    done = page.locator('.lane[data-agent="research"] progress')
    assert await done.evaluate("bar => bar.value") == 1
    decision = page.locator("#decisions .decision").first
    await expect(decision.locator(".decision-reason")).not_to_be_empty()
    await expect(decision.locator(".decision-conf")).to_contain_text("% sure")
    await expect(page.locator("#report .report-body h1")).to_be_visible()
    await expect(page.locator("#report table").first).to_be_visible()
    assert frames, "the page followed the session over its WebSocket"
    await watch.shot(page, "live-completed")


async def test_the_page_recovers_when_the_websocket_drops(browser, daphne_url, watch):
    user, session = await running_session()
    page = await new_page(browser, daphne_url, watch, user)
    await page.add_init_script(STATE_RECORDER)
    sockets = []

    def proxy(ws) -> None:
        sockets.append((ws, ws.connect_to_server()))

    await page.route_web_socket(re.compile(r"/ws/sessions/"), proxy)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    await emit_work(session.id, "research", 10, start=True)
    await expect(page.locator("#events [data-seq]")).to_have_count(11)

    page_side, server_side = sockets[-1]
    await page_side.close(code=4000, reason="network dropped")
    await server_side.close()
    await emit_work(session.id, "architect", 10)  # while the page is away
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    assert len(sockets) == 2
    assert "after=11" in sockets[1][0].url  # resumed from its last seq
    assert "reconnecting" in await page.evaluate("window.__states")

    await emit_work(session.id, "codesmith", 5)
    with bound_session(session.id):
        await emit(Event.for_session("completed", "Session completed"), wait=True)
    await expect(page.locator("#session-status")).to_have_attribute("data-status", "completed")
    stored = await stored_seqs(session.id)
    assert stored == list(range(1, 28))
    await expect(page.locator("#events [data-seq]")).to_have_count(len(stored))
    assert await shown_seqs(page) == stored  # no gap, no repeat
    await watch.shot(page, "live-after-reconnect")


@pytest.mark.parametrize(
    ("code", "reconnects", "state"),
    [(4404, False, "denied"), (4400, False, "error"), (4000, True, "")],
)
async def test_reconnects_stop_on_4404_and_4400(
    browser, daphne_url, watch, code, reconnects, state
):
    user, session = await running_session()
    page = await new_page(browser, daphne_url, watch, user)
    await page.add_init_script(STATE_RECORDER)
    await page.clock.install()  # time flows as usual, and the test may move it on
    attempts, closing = [], []

    def refuse(ws) -> None:  # never reaches the server: it closes at once
        attempts.append(ws.url)
        closing.append(asyncio.ensure_future(ws.close(code=code, reason="refused")))

    await page.route_web_socket(re.compile(r"/ws/sessions/"), refuse)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    if reconnects:
        await eventually(lambda: len(attempts) > 2, within=10, what="the page to reconnect twice")
        await expect(page.locator("#connection-state")).not_to_have_attribute("data-state", "live")
        assert "reconnecting" in await page.evaluate("window.__states")
    else:
        await expect(page.locator("#connection-state")).to_have_attribute("data-state", state)
        # Every backoff delay (15 s at most) passes on the page's clock: a retry would run now,
        # and `connect()` shows "connecting" before it opens a socket.
        await page.clock.run_for(60_000)
        states = await page.evaluate("window.__states")
        assert states[-1] == state
        assert "reconnecting" not in states
        assert len(attempts) == 1


async def test_filling_a_gap_fetches_only_up_to_it(browser, daphne_url, watch):
    user, session = await running_session()
    page = await new_page(browser, daphne_url, watch, user)
    sockets = []

    def proxy(ws) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    await page.route_web_socket(re.compile(r"/ws/sessions/"), proxy)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/events/?" in r.url else None)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    # 1,200 events stored behind the page's back (no doorbell), then seq 2 arrives without seq 1.
    history = [Event.for_session("started", "Session started")] + [
        Event.for_agent("research", "progress", f"file {i}") for i in range(1, 1200)
    ]
    await sync_to_async(record_events)(session_id=session.id, events=history)
    second = await EventRow.objects.aget(session=session, seq=2)
    before = len(requests)
    sockets[-1].send(json.dumps(second.to_dict()))
    await expect(page.locator("#events [data-seq]")).to_have_count(2)
    gap_fills = [re.search(r"after=(\d+)", url).group(1) for url in requests[before:]]
    assert gap_fills == ["0"]  # one page holds seq 1: none of the 1,198 events after seq 2

    await emit_work(session.id, "architect", 1)  # seq 1201, through the server
    await expect(page.locator("#events [data-seq]")).to_have_count(1201)
    assert await shown_seqs(page) == list(range(1, 1202))


async def test_a_long_session_keeps_every_event_reachable(browser, daphne_url, watch):
    user, session = await running_session()
    history = [Event.for_session("started", "Session started")] + [
        Event.for_agent("research", "progress", f"file {i}") for i in range(1, 6000)
    ]
    await sync_to_async(record_events)(session_id=session.id, events=history)
    page = await new_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#event-count")).to_have_text("6000")
    await expect(page.locator('#events [data-seq="6000"]')).to_be_visible()  # the newest, in view
    shown = await shown_seqs(page)
    assert 0 < len(shown) < 100  # past 5,000 events, a window of rows
    assert len(set(shown)) == len(shown)
    viewport = page.locator("#events-viewport")
    await viewport.evaluate("v => { v.scrollTop = 0; }")
    await expect(page.locator('#events [data-seq="1"]')).to_be_visible()  # nothing dropped
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    await emit_work(session.id, "architect", 3)
    await expect(page.locator("#event-count")).to_have_text("6003")
    await expect(page.locator('#events [data-seq="1"]')).to_be_visible()  # the reader stays put
    await viewport.evaluate("v => { v.scrollTop = v.scrollHeight; }")
    await expect(page.locator('#events [data-seq="6003"]')).to_be_visible()
    await watch.shot(page, "live-6003-events")


async def test_a_page_opened_mid_run_loads_the_history_in_pages_first(browser, daphne_url, watch):
    user, session = await running_session()
    history = [Event.for_session("started", "Session started")] + [
        Event.for_agent("research", "progress", f"file {i}", pct=i / 1500) for i in range(1, 1500)
    ]
    await sync_to_async(record_events)(session_id=session.id, events=history)
    page = await new_page(browser, daphne_url, watch, user)
    pages = []
    page.on(
        "request",
        lambda request: pages.append(request.url) if "/events/?" in request.url else None,
    )
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#events [data-seq]")).to_have_count(1500)
    assert [re.search(r"after=(\d+)", url).group(1) for url in pages] == ["0", "1000"]
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    await emit_work(session.id, "architect", 3)
    await expect(page.locator("#events [data-seq]")).to_have_count(1503)
    assert await shown_seqs(page) == list(range(1, 1504))
    lane = page.locator('.lane[data-agent="architect"]')
    await expect(lane.locator(".lane-pct")).to_have_text("100%")


async def test_the_owner_cancels_from_the_page_and_a_share_link_cannot(browser, daphne_url, watch):
    user = await sync_to_async(make_user)("alice")
    session = await sync_to_async(make_session)(user, query="Waiting to start")  # pending
    reader = await new_page(browser, daphne_url, watch)
    await reader.goto(f"{daphne_url}/sessions/{session.id}/?token={session.share_token}")
    await expect(reader.locator("#session-status")).to_have_attribute("data-status", "pending")
    await expect(reader.locator("#cancel-button")).to_have_count(0)
    await expect(reader.locator("#connection-state")).to_have_attribute("data-state", "live")

    page = await new_page(browser, daphne_url, watch, user)
    await page.goto(f"{daphne_url}/sessions/{session.id}/")
    await expect(page.locator("#connection-state")).to_have_attribute("data-state", "live")
    await page.click("#cancel-button")
    await expect(page.locator("#session-status")).to_have_attribute("data-status", "cancelled")
    await expect(page.locator("#cancel-button")).to_be_disabled()
    assert await shown_seqs(page) == [1, 2]  # started, cancelled
    # The share-link reader follows along read-only.
    await expect(reader.locator("#session-status")).to_have_attribute("data-status", "cancelled")
    assert await shown_seqs(reader) == [1, 2]
    await watch.shot(reader, "live-shared-cancelled")
