"""The SSE endpoints (docs/protocol.md): ``/api/sessions/<id>/stream/`` and the original
design's ``/events?session_id=<id>``; the stream itself is `streaming.transports.sse`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed

from streaming.log.exceptions import BadCursor
from streaming.site.views.api import bad_input, not_found, releases_connections, session_endpoint
from streaming.transports.access import Access
from streaming.transports.sse import stream_response


@session_endpoint("GET")
async def session_stream(request: HttpRequest, access: Access) -> HttpResponseBase:
    """``GET /api/sessions/<id>/stream/``."""
    try:
        return stream_response(request, access.session)
    except BadCursor as exc:
        return bad_input(exc)


@releases_connections
async def events_alias(request: HttpRequest) -> HttpResponseBase:
    """``GET /events?session_id=<id>``: the same stream at the original design's path."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    session_id = request.GET.get("session_id")
    if not session_id:
        return not_found()
    return await session_stream(request, session_id)
