"""The streams' reads: on threads of their own, and the same event objects as the models give."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest
from asgiref.sync import SyncToAsync, sync_to_async

from streaming import Event
from streaming.log import outages
from streaming.log.follow import End, SessionTail, read_page, run_read
from streaming.log.follow.reads import read_state
from streaming.log.models import Event as Row
from streaming.log.store import record_events
from tests.streaming.conftest import store
from tests.streaming.log.follow.conftest import collect, new_session

pytestmark = pytest.mark.django_db(transaction=True)


async def test_replays_do_not_need_the_shared_database_thread(settings):
    """Block the thread Django's async ORM shares: a paged replay still runs to its end."""
    settings.AGENTSTREAM_REPLAY_PAGE = 500
    session = await new_session()
    await store(session.id, 2_999, end=True)
    release = threading.Event()
    blocker = SyncToAsync.single_thread_executor.submit(release.wait, 30)
    try:
        batches, end = await asyncio.wait_for(collect(SessionTail(session.id, after=0)), 20)
    finally:
        release.set()
        blocker.result(5)
    assert end == End("completed", 3_000)
    assert len(batches) == 6


async def test_replayed_rows_are_the_same_event_objects_as_the_models_give():
    session = await new_session()
    values = [
        Event.for_session("started", "go"),
        Event.for_agent("research", "progress", "half \u2014 done\n", pct=0.5),
        Event.for_agent("research", "progress", "a third", pct=1 / 3, data={"k": [1, 2.5]}),
        Event.for_agent("codesmith", "result", 'quote " and \\ and \u00e9\U0001f600', pct=1),
        Event.for_agent("a" * 64, "think", "x", data={"nested": {"line": "a\nb", "none": None}}),
        Event.decision(next="reviewer", reasoning="because\r\nso", confidence=0.9),
        Event.for_agent("r", "error", "e", data={"\u00fcber": "\u2028", "big": 10**20}),
        Event.for_session("failed", "boom", data={"error": "Trace\nback"}),
    ]
    await sync_to_async(record_events)(session_id=session.id, events=values)
    page = await sync_to_async(read_page)(session.id, 0, len(values), 100)
    rows = [r async for r in Row.objects.for_session(session.id)]
    assert [json.loads(w.text) for w in page] == [r.to_dict() for r in rows]
    assert all("\n" not in w.text and "\r" not in w.text for w in page)
    assert [w.end_status for w in page] == [None] * 7 + ["failed"]
    assert [w.t for w in page] == [r.t for r in rows]


@pytest.fixture
def database_outage(monkeypatch, caplog):
    """A database outage of this process, begun (its WARNING logged)."""
    outage = outages.Outage("database")
    monkeypatch.setattr(outages, "database", outage)
    caplog.set_level(logging.INFO, logger="streaming.log.outages")
    outage.failed(OSError("connection refused"))
    return outage


def back(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "streaming.log.outages" and r.levelno == logging.INFO
    ]


async def test_a_read_that_gets_through_ends_a_database_outage(database_outage, caplog):
    session = await new_session()
    with pytest.raises(ZeroDivisionError):
        await run_read(lambda: 1 / 0)  # a read that fails says nothing
    assert database_outage.down
    assert await run_read(read_state, session.id) is not None
    assert not database_outage.down
    assert len(back(caplog)) == 1
    await run_read(read_state, session.id)
    assert len(back(caplog)) == 1  # once per outage
