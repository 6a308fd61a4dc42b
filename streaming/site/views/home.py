"""`/`: the user's sessions (searchable, filtered by status, in pages) and the form to start one.

Starting a session goes through `streaming.runs.sessions.acreate_session` and
`streaming.runs.launch`; the list's statuses then follow the sessions live in the browser over
their WebSockets (`home.js`). A showcase workspace (`streaming.site.showcase`), when `manage.py
demo` prepared one, is suggested above the form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from streaming.log.exceptions import StreamingError
from streaming.log.models import Session, SessionStatus
from streaming.runs.conf import conf as run_conf
from streaming.runs.control import launch
from streaming.runs.sessions import acreate_session
from streaming.runs.workspaces import list_workspaces
from streaming.site.durations import format_duration
from streaming.site.showcase import list_showcases

SESSIONS_PER_PAGE = 50
MAX_SEARCH_CHARS = 200


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


class SessionFilterForm(forms.Form):
    """The list's search (in the queries) and status filter, from the query string."""

    q = forms.CharField(required=False, max_length=MAX_SEARCH_CHARS, strip=True, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "any status"), *SessionStatus.choices], label="Status"
    )


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
    """Render a page of the user's sessions (searched and filtered as asked) with `form`."""
    assert request.user.is_authenticated  # called by `home`, which requires a login
    owned = Session.objects.filter(owner=request.user)
    filters = SessionFilterForm(request.GET)
    sessions = owned
    kept: dict[str, str] = {}
    if filters.is_valid():
        if text := filters.cleaned_data["q"]:
            sessions = sessions.filter(query__icontains=text)
            kept["q"] = text
        if state := filters.cleaned_data["status"]:
            sessions = sessions.filter(status=state)
            kept["status"] = state
    page = Paginator(sessions.newest_first(), SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(session, format_duration(session)) for session in page]
    scheme = "wss" if request.is_secure() else "ws"
    context = {
        "form": form,
        "filters": filters,
        "filtered": bool(kept),
        "has_any": bool(kept) or bool(rows) or owned.exists(),
        "page": page,
        "rows": rows,
        "keep_query": urlencode(kept),
        "showcases": list_showcases(),
        "home_config": {"wsBase": f"{scheme}://{request.get_host()}/ws/sessions/"},
    }
    return render(request, "streaming/home.html", context, status=status)
