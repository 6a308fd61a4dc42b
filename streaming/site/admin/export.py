"""The admin's JSONL export: the selected sessions' events, streamed, one JSON object a line.

The same writer and response as the API's ``export.jsonl`` (`streaming.site.views.export`), so
a million events never sit in memory at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from streaming.log.models import Session
from streaming.site.views.export import jsonl_response


@admin.action(description="Export the selected sessions' events (JSONL)")
def export_events_jsonl(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Session]
) -> StreamingHttpResponse:
    """Admin action: stream every event of the selected sessions, oldest session first."""
    sessions = list(queryset.order_by("created_at", "id").values_list("id", "last_seq"))
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return jsonl_response(sessions, f"agentstream-events-{stamp}.jsonl")
