"""The two pages of one session: the live page and the replay.

Thin views: who may read a session comes from `streaming.transports.access`. The pages hand
their data to the browser in one `json_script` block (no inline script); the browser does the
rest over the JSON API and the WebSocket (docs/protocol.md). The session list and its form are
in `streaming.site.views.home`, the report in `streaming.site.views.report`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from streaming.log.events import Phase
from streaming.log.models import Session
from streaming.runs.exceptions import UnknownWorkflow
from streaming.runs.models import Run
from streaming.runs.workflows import Workflow, get_workflow
from streaming.site.views.errors import error_page
from streaming.transports.access import get_access

NO_SESSION = "There is no session here, or it is not one you may see."
PRUNED = (
    "This session ended long ago and was pruned: its events were removed (retention), so there "
    "is nothing left to show or replay."
)
BAD_SHARE_LINK = (
    "This share link does not open a session. It may be mistyped, or the session's owner made "
    "a new link (old links stop working when they do): ask them for the current one."
)


@dataclass(frozen=True)
class PageAccess:
    """A caller's access to one session's pages, and the share token they came with, if any."""

    session: Session
    can_control: bool
    token: str | None  # kept in the page's API and WebSocket URLs for share-link readers


def page_access(request: HttpRequest, session_id: uuid.UUID) -> PageAccess | None:
    """Return the caller's access to the session's pages, or None if they may not read it."""
    token = request.GET.get("token") or None
    access = get_access(session_id, request.user, token)
    if access is None:
        return None
    return PageAccess(
        session=access.session,
        can_control=access.can_control,
        token=None if access.can_control else token,
    )


def access_or_refusal(request: HttpRequest, session_id: uuid.UUID) -> PageAccess | HttpResponse:
    """Return the caller's access to a session page, else the response that refuses them: a
    redirect to log in (anonymous, no token), else the site's 404 page (DEBUG or not)."""
    access = page_access(request, session_id)
    if access is not None and access.session.pruned_at is not None:
        return error_page(request, 410, title="This session was pruned", detail=PRUNED)
    if access is not None:
        return access
    if request.GET.get("token"):
        return error_page(request, 404, title="This link has expired", detail=BAD_SHARE_LINK)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return error_page(request, 404, title="Session not found", detail=NO_SESSION)


def workflow_for(session: Session) -> Workflow | None:
    """Return the workflow `session` runs (None: it has none, or it is no longer registered)."""
    name = Run.objects.filter(session_id=session.id).values_list("workflow", flat=True).first()
    if name is None:
        return None
    try:
        return get_workflow(name)
    except UnknownWorkflow:
        return None


def share_urls(request: HttpRequest, session: Session) -> dict[str, str]:
    """Return the read-only links of the session's live page and replay (with its token)."""
    query = f"?{urlencode({'token': session.share_token})}"
    return {
        "live": request.build_absolute_uri(reverse("session-page", args=[session.id]) + query),
        "replay": request.build_absolute_uri(reverse("session-replay", args=[session.id]) + query),
    }


def page_config(
    request: HttpRequest, access: PageAccess, workflow: Workflow | None
) -> dict[str, Any]:
    """Return what the page's script needs: its session, lanes, endpoints and permissions."""
    session = access.session
    sid = str(session.id)
    query = f"?{urlencode({'token': access.token})}" if access.token else ""
    scheme = "wss" if request.is_secure() else "ws"
    staff = request.user.is_authenticated and request.user.is_staff
    return {
        "sessionId": sid,
        "status": session.status,
        "lastSeq": session.last_seq,
        "canControl": access.can_control,
        "eventsUrl": f"/api/sessions/{sid}/events/{query}",
        "wsUrl": f"{scheme}://{request.get_host()}/ws/sessions/{sid}/{query}",
        "cancelUrl": f"/api/sessions/{sid}/cancel/",
        "exportUrl": f"/api/sessions/{sid}/export.jsonl{query}",
        "reportUrl": reverse("session-report", args=[sid]) + query,
        "reportMarkdownUrl": reverse("session-report-markdown", args=[sid]) + query,
        "pageUrl": reverse("session-page", args=[sid]) + query,
        "replayUrl": reverse("session-replay", args=[sid]) + query,
        "shareUrls": share_urls(request, session) if access.can_control else None,
        "rotateUrl": f"/api/sessions/{sid}/share-token/" if access.can_control else None,
        "adminUrl": reverse("admin:streaming_session_change", args=[sid]) if staff else None,
        "workflow": workflow.name if workflow else None,
        "lanes": [lane.to_dict() for lane in workflow.lanes] if workflow else [],
        "reportAgent": workflow.report_lane if workflow else None,
        "reportLabel": _report_label(workflow),
        "csrfToken": get_token(request) if access.can_control else None,
    }


def _report_label(workflow: Workflow | None) -> str | None:
    if workflow is None or workflow.report_lane is None:
        return None
    lane = workflow.lane(workflow.report_lane)
    return lane.to_dict()["label"] if lane else workflow.report_lane


def _context(request: HttpRequest, access: PageAccess, when: str) -> dict[str, Any]:
    workflow = workflow_for(access.session)
    config = page_config(request, access, workflow)
    return {
        "access": access,
        "session": access.session,
        "report_waiting": _report_waiting(config["reportLabel"], when),
        "config": config,
        "is_staff": config["adminUrl"] is not None,
    }


@require_GET
def session_page(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The live page: the session's history, then its events as they happen."""
    access = access_or_refusal(request, session_id)
    if isinstance(access, HttpResponse):
        return access
    context = _context(request, access, "when {} has written it")
    return render(request, "streaming/live.html", context)


@require_GET
def session_replay(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The replay: the stored timeline, played back with its real relative timing."""
    access = access_or_refusal(request, session_id)
    if isinstance(access, HttpResponse):
        return access
    context = _context(request, access, "once the playhead passes {}'s result")
    context.update(speeds=(1, 2, 4, 8, 16), phases=[phase.value for phase in Phase])
    return render(request, "streaming/replay.html", context)


def _report_waiting(label: str | None, when: str) -> str:
    """Return what the report card says before there is a report; `when` has a {} for the
    label of the lane that writes it."""
    if label is None:
        return "This session's workflow writes no report."
    return f"The report appears here {when.format(label)}."
