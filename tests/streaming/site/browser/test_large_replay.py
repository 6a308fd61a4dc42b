"""A 100,000-event session opens quickly: events load in pages, the DOM holds only a window."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from playwright.async_api import expect

from streaming.log.models import Event, Session
from tests.conftest import make_session, make_user
from tests.streaming.site.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COUNT = 100_000
AGENTS = ("research", "architect", "codesmith", "reviewer")


@sync_to_async
def big_session():
    """A completed session of COUNT events, 10 ms apart, stored row by row in bulk."""
    user = make_user("alice")
    session = make_session(user, query="A very long run")
    start = datetime.now(UTC) - timedelta(hours=2)
    rows = []
    for seq in range(1, COUNT + 1):
        if seq == 1 or seq == COUNT:
            t, agent, phase = "session_event", None, "started" if seq == 1 else "completed"
        elif seq % 100 == 0:
            t, agent, phase = "supervisor_event", "supervisor", "think"
        else:
            t, agent, phase = "agent_event", AGENTS[seq * len(AGENTS) // COUNT], "progress"
        rows.append(
            Event(
                session=session,
                seq=seq,
                ts=start + timedelta(milliseconds=10 * seq),
                t=t,
                agent=agent,
                phase=phase,
                msg=f"step {seq}",
                pct=None,
                data={},
            )
        )
    Event.objects.bulk_create(rows, batch_size=5000)
    Session.objects.filter(pk=session.pk).update(
        last_seq=COUNT, status="completed", ended_at=datetime.now(UTC)
    )
    session.refresh_from_db()
    return user, session


async def test_a_100k_event_session_opens_in_pages(browser, daphne_url, watch):
    user, session = await big_session()
    page = await new_page(browser, daphne_url, watch, user)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/events/?" in r.url else None)
    started = time.perf_counter()
    await page.goto(f"{daphne_url}/sessions/{session.id}/replay/#seq=99999")
    await expect(page.locator("#load-state")).to_contain_text("Loaded")
    first_page = time.perf_counter() - started
    await expect(page.locator("#player")).to_have_attribute("data-state", "ready", timeout=120_000)
    loaded = time.perf_counter() - started
    print(
        f"\n100k replay: first page shown after {first_page:.2f} s, all loaded after {loaded:.2f} s"
    )
    assert len(requests) == COUNT // 5000  # in pages of 5,000 (the API's cap)
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "99999")
    rows = await page.locator("[data-seq]").count()
    assert 0 < rows < 100  # a window of the list, not 100,000 rows
    await page.locator("#scrubber").fill("50000")
    await expect(page.locator("#player")).to_have_attribute("data-playhead", "50000")
    await expect(page.locator("#events .event.current")).to_have_attribute("data-seq", "50000")
    await page.select_option("#speed", "instant")
    await expect(page.locator("#player")).to_have_attribute("data-playhead", str(COUNT))
    bars = await page.locator(".gantt-bar").count()
    assert bars < 2_000  # runs of a phase, not one element per event
    await watch.shot(page, "replay-100k")
