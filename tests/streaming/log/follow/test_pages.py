"""Reading a range of stored events page by page."""

from __future__ import annotations

import pytest

from streaming.log.follow import End, SessionTail, iter_pages
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
