"""The pages people use: the session list and form, the live page, the replay, the report.

Thin views: who may read a session comes from `streaming.transports.access`, starting one from
`streaming.runs.sessions.create_session` and `streaming.runs.launch`. The pages hand their data to
the browser in one `json_script` block (no inline script); the browser does the rest over the
JSON API and the WebSocket (docs/protocol.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from streaming.log.events import EventType, Phase
from streaming.log.exceptions import BadCursor, StreamingError
from streaming.log.follow.cursors import parse_cursor
from streaming.log.models import Event, Session
from streaming.runs.conf import conf as run_conf
from streaming.runs.control import launch
from streaming.runs.exceptions import UnknownWorkflow
from streaming.runs.models import Run
from streaming.runs.sessions import acreate_session
from streaming.runs.workflows import Workflow, get_workflow
from streaming.runs.workspaces import list_workspaces
from streaming.site.durations import format_duration
from streaming.site.markdown import render_report
from streaming.transports.access import get_access

#: The data keys of the report lane's `result` event that may carry the Markdown report.
REPORT_KEYS = ("report", "markdown")
SESSIONS_PER_PAGE = 25


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


class StartSessionForm(forms.Form):
    query = forms.CharField(
        max_length=10_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What should the agents look at?"}),
    )
    workspace = forms.ChoiceField(choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = list_workspaces()
        workspace = self.fields["workspace"]
        assert isinstance(workspace, forms.ChoiceField)  # `fields` maps names to plain `Field`
        workspace.choices = [(name, name) for name in names]
        default = run_conf.DEFAULT_WORKSPACE
        if default in names:
            workspace.initial = default


@login_required
@require_http_methods(["GET", "POST"])
async def home(request: HttpRequest) -> HttpResponse:
    """List the user's sessions, newest first; POST starts one and opens its live page.

    Async, so the run is launched on the server's loop from the request itself (as the JSON API
    does), never through `async_to_sync` from a worker thread; the page renders in a thread.
    """
    if request.method != "POST":
        return await sync_to_async(render_home)(request, StartSessionForm())
    form = await sync_to_async(StartSessionForm)(request.POST)
    if form.is_valid():
        owner = await request.auser()
        assert owner.is_authenticated  # login_required lets no anonymous user in
        try:
            session = await acreate_session(
                owner=owner,
                query=form.cleaned_data["query"],
                workspace=form.cleaned_data["workspace"],
            )
        except StreamingError as exc:
            form.add_error(None, str(exc))
        else:
            await launch(session.id)
            return redirect("session-page", session_id=session.id)
    return await sync_to_async(render_home)(request, form, status=400)


def render_home(request: HttpRequest, form: StartSessionForm, status: int = 200) -> HttpResponse:
    """Render the session list (a page of the user's sessions) with `form`."""
    assert request.user.is_authenticated  # called by `home`, which requires a login
    sessions = Session.objects.filter(owner=request.user).newest_first()
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(session, format_duration(session)) for session in page]
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "streaming/home.html", context, status=status)


def _access_or_login(request: HttpRequest, session_id: uuid.UUID) -> PageAccess | HttpResponse:
    """Return the caller's access to a session page, a redirect to log in, or raise Http404."""
    access = page_access(request, session_id)
    if access is None:
        if not request.user.is_authenticated and not request.GET.get("token"):
            return redirect_to_login(request.get_full_path())
        raise Http404("No such session")
    return access


def workflow_for(session: Session) -> Workflow | None:
    """Return the workflow `session` runs (None: it has none, or it is no longer registered)."""
    name = Run.objects.filter(session_id=session.id).values_list("workflow", flat=True).first()
    if name is None:
        return None
    try:
        return get_workflow(name)
    except UnknownWorkflow:
        return None


def _page_config(
    request: HttpRequest, access: PageAccess, workflow: Workflow | None
) -> dict[str, Any]:
    """Return what the page's script needs: its session, lanes, endpoints and permissions."""
    session = access.session
    sid = str(session.id)
    query = f"?{urlencode({'token': access.token})}" if access.token else ""
    scheme = "wss" if request.is_secure() else "ws"
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
        "pageUrl": reverse("session-page", args=[sid]) + query,
        "replayUrl": reverse("session-replay", args=[sid]) + query,
        "workflow": workflow.name if workflow else None,
        "lanes": [lane.to_dict() for lane in workflow.lanes] if workflow else [],
        "reportAgent": workflow.report_lane if workflow else None,
        "csrfToken": get_token(request) if access.can_control else None,
    }


@require_GET
def session_page(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The live page: the session's history, then its events as they happen."""
    access = _access_or_login(request, session_id)
    if isinstance(access, HttpResponse):
        return access
    workflow = workflow_for(access.session)
    context = {
        "access": access,
        "session": access.session,
        "report_waiting": _report_waiting(workflow, "when {} has written it"),
        "config": _page_config(request, access, workflow),
    }
    return render(request, "streaming/live.html", context)


@require_GET
def session_replay(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """The replay: the stored timeline, played back with its real relative timing."""
    access = _access_or_login(request, session_id)
    if isinstance(access, HttpResponse):
        return access
    workflow = workflow_for(access.session)
    context = {
        "access": access,
        "session": access.session,
        "report_waiting": _report_waiting(workflow, "once the playhead passes {}'s result"),
        "config": _page_config(request, access, workflow),
        "speeds": (1, 2, 4, 8, 16),
        "phases": [phase.value for phase in Phase],
    }
    return render(request, "streaming/replay.html", context)


def _report_waiting(workflow: Workflow | None, when: str) -> str:
    """Return what the report card says before there is a report; `when` has a {} for the
    name of the lane that writes it."""
    if workflow is None or workflow.report_lane is None:
        return "This session's workflow writes no report."
    return f"The report appears here {when.format(workflow.report_lane)}."


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


@require_GET
def session_report(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """Return the report lane's Markdown report as a sanitised HTML fragment (404 until there is
    one).

    `?seq=N` picks the report of result event N (the replay shows the one at its playhead); a
    seq that is not an integer from 0 to the session's last seq is 400 (the protocol's cursor rule).
    """
    access = _access_or_login(request, session_id)
    if isinstance(access, HttpResponse):
        return access
    raw_seq = request.GET.get("seq") or None
    try:
        seq = None if raw_seq is None else parse_cursor(raw_seq, last_seq=access.session.last_seq)
    except BadCursor as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    event = report_event(access.session, seq)
    source = report_source(event) if event is not None else None
    if source is None:
        raise Http404("No report yet")
    response = render(
        request, "streaming/report_fragment.html", {"report": render_report(source), "event": event}
    )
    response["Cache-Control"] = "private, no-store"
    return response
