"""A session's report: the workflow's Markdown, as a sanitised HTML fragment for the pages and
as the Markdown itself (to copy or download).

The report is the latest `result` event of the workflow's `report_lane` whose data carries the
Markdown in `report` or `markdown`; `?seq=N` picks one (the replay shows the one at its
playhead). Access is the pages' (owner, staff, or the share token).
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from streaming.log.events import EventType, Phase
from streaming.log.exceptions import BadCursor
from streaming.log.follow.cursors import parse_cursor
from streaming.log.models import Event, Session
from streaming.site.markdown import render_report
from streaming.site.views.errors import error_page
from streaming.site.views.pages import PageAccess, access_or_refusal, workflow_for

#: The data keys of the report lane's `result` event that may carry the Markdown report.
REPORT_KEYS = ("report", "markdown")
NO_REPORT = "This session has no report (yet)."


def report_event(session: Session, seq: int | None) -> Event | None:
    """Return the event carrying the session's report: event `seq`, else the latest one."""
    workflow = workflow_for(session)
    if workflow is None or workflow.report_lane is None:
        return None
    events = Event.objects.for_session(session.id).filter(
        t=EventType.AGENT, agent=workflow.report_lane, phase=Phase.RESULT
    )
    if seq is not None:
        return events.filter(seq=seq).first()
    return events.order_by("-seq").first()


def report_source(event: Event) -> str | None:
    """Return the Markdown report an event's data carries, if any."""
    for key in REPORT_KEYS:
        value = event.data.get(key) if isinstance(event.data, dict) else None
        if isinstance(value, str) and value.strip():
            return value
    return None


def _find_report(
    request: HttpRequest, session_id: uuid.UUID
) -> tuple[Event, str, PageAccess] | HttpResponse:
    """Return the requested report event, its Markdown and the caller's access, or the response
    that refuses: the pages' refusals, 400 for a `seq` that is not a cursor, 404 for no report."""
    access = access_or_refusal(request, session_id)
    if isinstance(access, HttpResponse):
        return access
    raw_seq = request.GET.get("seq") or None
    try:
        seq = None if raw_seq is None else parse_cursor(raw_seq, last_seq=access.session.last_seq)
    except BadCursor as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    event = report_event(access.session, seq)
    source = report_source(event) if event is not None else None
    if event is None or source is None:
        return error_page(request, 404, title="No report", detail=NO_REPORT)
    return event, source, access


@require_GET
def session_report(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """Return the report as a sanitised HTML fragment (404 until there is one).

    `?seq=N` picks the report of result event N; a seq that is not an integer from 0 to the
    session's last seq is 400 (the protocol's cursor rule).
    """
    found = _find_report(request, session_id)
    if isinstance(found, HttpResponse):
        return found
    event, source, _ = found
    response = render(
        request, "streaming/report_fragment.html", {"report": render_report(source), "event": event}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def session_report_markdown(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """Return the report's Markdown source as a `text/markdown` download (`?seq=N` as above).

    It is served as a download (`Content-Disposition: attachment`) and as plain text, never
    rendered by the browser: the Markdown is agent text.
    """
    found = _find_report(request, session_id)
    if isinstance(found, HttpResponse):
        return found
    event, source, access = found
    response = HttpResponse(source, content_type="text/markdown; charset=utf-8")
    name = f"report-{access.session.id}-{event.seq}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
