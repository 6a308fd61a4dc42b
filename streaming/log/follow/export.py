"""The one JSONL writer: sessions' stored events, one event object a line, page by page.

The API's ``export.jsonl`` and the admin's export action both stream this; an export holds the
events stored when it was asked for (up to the `last_seq` given), however long a session goes on,
and never holds more than a page in memory.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterable

from streaming.log.follow.pages import EventsMissing, iter_pages

logger = logging.getLogger(__name__)

#: JSON Lines, as registered in practice (`application/x-ndjson`); one type for every export.
JSONL_CONTENT_TYPE = "application/x-ndjson"


async def jsonl_chunks(sessions: Iterable[tuple[uuid.UUID, int]]) -> AsyncIterator[bytes]:
    """Yield the events of `sessions` ((id, last_seq) pairs) as JSON lines, a page a chunk.

    A session pruned (or deleted) while it is exported ends the export where its events stop:
    the response has started, so nothing may raise; the log says where.
    """
    for session_id, last_seq in sessions:
        try:
            async for page in iter_pages(session_id, after=0, up_to=last_seq):
                yield "".join(f"{event.text}\n" for event in page).encode()
        except EventsMissing as missing:
            logger.warning("%s: removed while being exported; the export ends there", missing)
            return
