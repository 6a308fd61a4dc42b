"""``GET /api/sessions/<id>/export.jsonl``, and the one JSONL download response the admin's
export action shares.

The body is the log's JSONL writer (`streaming.log.follow.jsonl_chunks`), an async generator,
so ASGI streams it page by page from the reader threads; the export holds the events stored when
it was asked for (up to that `last_seq`), however long the session goes on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

from streaming.log.follow import JSONL_CONTENT_TYPE, jsonl_chunks
from streaming.site.views.api import session_endpoint
from streaming.transports.access import Access


def jsonl_response(
    sessions: Sequence[tuple[uuid.UUID, int]], filename: str
) -> StreamingHttpResponse:
    """Return a streamed JSONL download of the events of `sessions` ((id, last_seq) pairs)."""
    response = StreamingHttpResponse(jsonl_chunks(sessions), content_type=JSONL_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Accel-Buffering"] = "no"
    response["Cache-Control"] = "no-store"
    return response


@session_endpoint("GET")
async def session_export(request: HttpRequest, access: Access) -> HttpResponseBase:
    session = access.session
    return jsonl_response([(session.id, session.last_seq)], f"session-{session.id}.jsonl")
