"""Reading a range of a session's events page by page, for streams and exports."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

from streaming.log.conf import conf
from streaming.log.follow.reads import WireEvent
from streaming.log.follow.shared import retrieve, shared_page


class EventsMissing(Exception):
    """Stored events are not there: removed under the reader (a prune, a deleted session)."""

    def __init__(self, session_id: uuid.UUID, seq: int) -> None:
        super().__init__(f"session {session_id}: event {seq} is missing")
        self.session_id = session_id
        self.seq = seq  # the first missing one


async def iter_pages(
    session_id: uuid.UUID, *, after: int, up_to: int, page: int | None = None
) -> AsyncIterator[list[WireEvent]]:
    """Yield the stored events with `after` < seq <= `up_to` page by page, in seq order.

    Every seq up to a session's last_seq is committed (seqs are allocated in the inserting
    transaction), so the pages are gapless: a page with a hole, or none, means rows were removed
    under the reader. The events before the hole are yielded, then `EventsMissing` is raised.
    """
    size = page or conf.REPLAY_PAGE
    ahead: asyncio.Future[list[WireEvent]] | None = None
    try:
        while after < up_to:
            rows = await (ahead or shared_page(session_id, after, up_to, size))
            ahead = None
            if not rows or rows[-1].seq - after != len(rows):  # seqs are unique and ascending
                whole = [row for n, row in enumerate(rows, after + 1) if row.seq == n]
                if whole:
                    yield whole
                raise EventsMissing(session_id, after + len(whole) + 1)
            after = rows[-1].seq
            if after < up_to:  # read the next page while this one is being sent
                ahead = asyncio.ensure_future(shared_page(session_id, after, up_to, size))
                ahead.add_done_callback(retrieve)
            yield rows
            await asyncio.sleep(0)  # a ready page must not keep other connections waiting
    finally:
        if ahead is not None:
            ahead.cancel()
