"""Reading a range of stored events page by page."""

from __future__ import annotations

import json
import logging

import pytest

from streaming.log.follow import End, EventsMissing, SessionTail, iter_pages, jsonl_chunks
from streaming.log.models import Event
from tests.streaming.conftest import store
from tests.streaming.log.follow.conftest import collect, new_session

pytestmark = pytest.mark.django_db(transaction=True)


async def test_replay_reads_in_pages_of_the_configured_size(settings):
    settings.AGENTSTREAM_REPLAY_PAGE = 100
    session = await new_session()
    await store(session.id, 349, end=True)  # 1..350
    batches, end = await collect(SessionTail(session.id, after=0))
    assert [len(b) for b in batches] == [100, 100, 100, 50]
    assert [s for b in batches for s in b] == list(range(1, 351))
    assert end == End("completed", 350)
    pages = [p async for p in iter_pages(session.id, after=120, up_to=130, page=4)]
    assert [[w.seq for w in p] for p in pages] == [
        [121, 122, 123, 124],
        [125, 126, 127, 128],
        [129, 130],
    ]


async def test_a_hole_in_a_range_yields_what_is_before_it_then_says_what_is_missing():
    session = await new_session()
    await store(session.id, 20)  # 1..20
    await Event.objects.filter(session_id=session.id, seq__in=[7, 8]).adelete()
    pages = iter_pages(session.id, after=0, up_to=20, page=5)
    assert [w.seq for w in await anext(pages)] == [1, 2, 3, 4, 5]
    assert [w.seq for w in await anext(pages)] == [6]
    with pytest.raises(EventsMissing) as missing:
        await anext(pages)
    assert (missing.value.session_id, missing.value.seq) == (session.id, 7)
    with pytest.raises(EventsMissing):  # nothing at all where events should be
        await anext(iter_pages(session.id, after=20, up_to=25))


async def test_an_export_ends_where_the_events_of_a_pruned_session_stop(caplog):
    session = await new_session()
    await store(session.id, 20)
    await Event.objects.filter(session_id=session.id, seq__gt=10).adelete()
    with caplog.at_level(logging.WARNING, "streaming.log.follow.export"):
        body = b"".join([chunk async for chunk in jsonl_chunks([(session.id, 20)])])
    assert [json.loads(line)["seq"] for line in body.splitlines()] == list(range(1, 11))
    assert [r.getMessage() for r in caplog.records] == [
        f"session {session.id}: event 11 is missing: removed while being exported; "
        "the export ends there"
    ]
