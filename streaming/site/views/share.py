"""``POST /api/sessions/<id>/share-token/``: a new share token; links with the old one stop working.

Owner and staff only (the same 404 as cancel for everybody else, a share-link reader included).
The answer is the session object (docs/protocol.md) carrying the new `share_token`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from streaming.log.models import Session
from streaming.log.sessions import arotate_share_token
from streaming.site.views.api import not_found, session_endpoint, session_object
from streaming.transports.access import Access


@session_endpoint("POST", control=True)
async def session_share_token(request: HttpRequest, access: Access) -> HttpResponse:
    """Rotate the session's share token; 200 with the session object."""
    sid = access.session.id
    if await arotate_share_token(session_id=sid) is None:
        return not_found()
    session = await Session.objects.select_related("run").aget(pk=sid)
    return JsonResponse(session_object(request, session, with_token=True))  # the run came along
