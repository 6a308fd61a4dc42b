"""The admin's JSONL export: the selected sessions' events, streamed, one JSON object a line.

The response body is an async generator, so under ASGI it streams page by page (Django would
buffer a sync iterator whole); the pages come from the transports' paged reads
(`streaming.replay.iter_pages`), so a million events never sit in memory at once.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from streaming.replay import iter_pages


async def export_lines(sessions: Sequence[tuple[uuid.UUID, int]]) -> AsyncIterator[bytes]:
    """Yield the events of `sessions` ((id, last_seq) pairs) as JSONL, session after session."""
    for session_id, last_seq in sessions:
        async for page in iter_pages(session_id, after=0, up_to=last_seq):
            yield "".join(f"{event.text}\n" for event in page).encode()


def jsonl_response(
    sessions: Sequence[tuple[uuid.UUID, int]], filename: str
) -> StreamingHttpResponse:
    """Return a streamed `application/jsonl` download of the sessions' events."""
    response = StreamingHttpResponse(export_lines(sessions), content_type="application/jsonl")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Accel-Buffering"] = "no"
    response["Cache-Control"] = "no-store"
    return response


@admin.action(description="Export the selected sessions' events (JSONL)")
def export_events_jsonl(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet
) -> StreamingHttpResponse:
    """Admin action: stream every event of the selected sessions, oldest session first."""
    sessions = list(queryset.order_by("created_at", "id").values_list("id", "last_seq"))
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return jsonl_response(sessions, f"agentstream-events-{stamp}.jsonl")
