"""``GET /api/sessions/<id>/export.jsonl``: every event, one JSON object a line, streamed.

An async generator under a `StreamingHttpResponse`, so ASGI streams it page by page from the
reader threads; the export holds the events stored when it was asked for (up to that
`last_seq`), however long the session goes on.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from streaming.access import Access
from streaming.replay import iter_pages
from streaming.views.api import session_endpoint


@session_endpoint("GET")
async def session_export(request: HttpRequest, access: Access) -> HttpResponse:
    session = access.session
    response = StreamingHttpResponse(
        jsonl_lines(session.id, up_to=session.last_seq), content_type="application/x-ndjson"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.id}.jsonl"'
    response["Cache-Control"] = "no-store"
    return response


async def jsonl_lines(session_id: uuid.UUID, *, up_to: int) -> AsyncIterator[bytes]:
    """Yield the events with seq <= `up_to` as JSON lines, one page per chunk."""
    async for page in iter_pages(session_id, after=0, up_to=up_to):
        yield "".join(f"{w.text}\n" for w in page).encode()
