"""The JSON API of docs/protocol.md: sessions (list, create, detail), their events, cancel.

Views are thin: find the caller's access, read through the reader threads
(`streaming.log.follow`), answer JSON. A session the caller may not read is 404 `not_found` on
every endpoint; so is cancel for a share token (it grants reading only).
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import RequestDataTooBig
from django.db import connections
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    JsonResponse,
)

from streaming.log import outages
from streaming.log.events import format_ts, parse_ts
from streaming.log.exceptions import BadCursor, BadInput
from streaming.log.follow import parse_cursor, parse_limit, read_page, run_read
from streaming.log.models import Session
from streaming.runs.control import ensure_started, launch, request_cancel
from streaming.runs.exceptions import RateLimited
from streaming.runs.models import Run
from streaming.runs.sessions import acreate_session
from streaming.runs.workflows import registry
from streaming.site.views.errors import error_response
from streaming.transports.access import Access, get_access

LIST_LIMIT, LIST_CAP = 50, 500
EVENTS_LIMIT, EVENTS_CAP = 500, 5_000


AsyncView = Callable[..., Coroutine[Any, Any, HttpResponseBase]]


def releases_connections(view: AsyncView) -> AsyncView:
    """Close the request thread's database connections when `view` returns.

    Under ASGI each request runs its sync calls (the login session, the user) on a thread of
    its own, whose connection is never reused; Django's docs say to disable persistent
    connections under ASGI. Closing it here keeps a long-lived stream from holding one for
    its whole life (the streams read on the reader threads).
    """

    @functools.wraps(view)
    async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return await view(request, *args, **kwargs)
        finally:
            await sync_to_async(connections.close_all)()

    return wrapper


async def request_access(request: HttpRequest, session_id: Any) -> Access | None:
    """Return the access of the request's user (or its ``?token=``) to `session_id`."""
    await ensure_started()  # this process sweeps sessions whose runner died (docs/runner.md)
    user = await request.auser()
    return await run_read(get_access, session_id, user, request.GET.get("token"))


SessionView = Callable[..., Coroutine[Any, Any, HttpResponseBase]]


def session_endpoint(method: str, *, control: bool = False) -> Callable[[SessionView], AsyncView]:
    """Wrap a view of one session: `method` only (405), the caller's access to the session in
    the URL (404 when none, or when `control` is needed and only read access is given), the
    request thread's connections released. The view is called as ``view(request, access)``.
    """

    def decorate(view: SessionView) -> AsyncView:
        @releases_connections
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, session_id: Any) -> HttpResponseBase:
            if request.method != method:
                return HttpResponseNotAllowed([method])
            try:
                if not outages.database.worth_trying():
                    raise outages.Unavailable("the database")
                access = await request_access(request, session_id)
            except Exception as exc:
                if not outages.is_database_error(exc):
                    raise
                if not isinstance(exc, outages.Unavailable):
                    outages.database.failed(exc)  # a fast, clear answer while it is down
                response = error_response(503, "unavailable", "the database is unavailable; retry")
                # Logged once as the outage's WARNING; Django would log every 503 at ERROR.
                response._has_been_logged = True  # type: ignore[attr-defined]
                return response
            if access is None or (control and not access.can_control):
                return not_found()
            if access.gone:  # pruned: its history was removed (docs/protocol.md, "Retention")
                return error_response(410, "gone", "this session was pruned; its events are gone")
            return await view(request, access)

        return wrapper

    return decorate


def not_found() -> JsonResponse:
    return error_response(404, "not_found", "no such session")


def bad_input(exc: BadInput) -> JsonResponse:
    return error_response(400, exc.code, str(exc))


def workflow_of(session: Session) -> str | None:
    """Return the name of the workflow `session` runs (None: it has no run). Runs a query
    unless the run was fetched with the session (``select_related("run")``)."""
    try:
        return session.run.workflow
    except Run.DoesNotExist:
        return None


def session_object(request: HttpRequest, session: Session, *, with_token: bool) -> dict[str, Any]:
    """Return the protocol's session object (`share_token` only for owner and staff).

    Call it off the event loop unless the session's run was fetched with it.
    """
    sid = str(session.id)
    ws_scheme = "wss" if request.is_secure() else "ws"
    obj: dict[str, Any] = {
        "id": sid,
        "query": session.query,
        "workspace": session.workspace,
        "workflow": workflow_of(session),
        "status": session.status,
        "created_at": format_ts(session.created_at),
        "last_seq": session.last_seq,
    }
    if with_token:
        obj["share_token"] = session.share_token
    obj.update(
        page_url=request.build_absolute_uri(f"/sessions/{sid}/"),
        replay_url=request.build_absolute_uri(f"/sessions/{sid}/replay/"),
        ws_url=f"{ws_scheme}://{request.get_host()}/ws/sessions/{sid}/",
        stream_url=request.build_absolute_uri(f"/api/sessions/{sid}/stream/"),
        events_url=request.build_absolute_uri(f"/api/sessions/{sid}/events/"),
        export_url=request.build_absolute_uri(f"/api/sessions/{sid}/export.jsonl"),
    )
    return obj


@releases_connections
async def sessions_collection(request: HttpRequest) -> HttpResponse:
    """``GET /api/sessions/`` lists the caller's sessions; ``POST`` creates and starts one."""
    if request.method == "GET":
        return await _list_sessions(request)
    if request.method == "POST":
        return await _create_session(request)
    return HttpResponseNotAllowed(["GET", "POST"])


async def _list_sessions(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(403, "forbidden", "log in to list your sessions")
    try:
        limit = parse_limit(request.GET.get("limit"), default=LIST_LIMIT, cap=LIST_CAP)
        sessions = Session.objects.filter(owner=user).select_related("run").newest_first()
        if (before := request.GET.get("before")) is not None:
            try:
                sessions = sessions.filter(created_at__lt=parse_ts(before))
            except (ValueError, OverflowError) as exc:
                raise BadCursor("before must be a created_at value as given") from exc
    except BadInput as exc:
        return bad_input(exc)
    rows = [s async for s in sessions[:limit]]
    return JsonResponse({"sessions": [session_object(request, s, with_token=True) for s in rows]})


async def _create_session(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(403, "forbidden", "log in to start a session")
    try:
        body = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return error_response(413, "too_large")
    except (ValueError, RecursionError):
        return error_response(400, "bad_json", "the body is not JSON")
    if not isinstance(body, dict):
        return error_response(400, "bad_json", "the body must be a JSON object")
    try:
        session = await acreate_session(
            owner=user,
            query=body.get("query"),
            workspace=body.get("workspace"),
            workflow=body.get("workflow"),
        )
    except BadInput as exc:
        return bad_input(exc)
    except RateLimited as exc:
        return error_response(429, exc.code, str(exc), Retry_After=exc.retry_after)
    await launch(session.id)
    return JsonResponse(session_object(request, session, with_token=True), status=201)


@releases_connections
async def workflows_collection(request: HttpRequest) -> HttpResponse:
    """``GET /api/workflows/``: the registered workflows, their lanes and report lane."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(403, "forbidden", "log in to list the workflows")
    workflows = await sync_to_async(registry)()  # imports the declarations once per process
    return JsonResponse({"workflows": [w.to_dict() for w in workflows.values()]})


@session_endpoint("GET")
async def session_detail(request: HttpRequest, access: Access) -> HttpResponse:
    """``GET /api/sessions/<id>/``: the session object."""
    show = functools.partial(session_object, with_token=access.shows_token)
    body = await run_read(show, request, access.session)
    return JsonResponse(body)


@session_endpoint("GET")
async def session_events(request: HttpRequest, access: Access) -> HttpResponse:
    """``GET /api/sessions/<id>/events/?after=N&limit=M``: one page of stored events."""
    session = access.session  # status and last_seq from one row: a consistent snapshot
    try:
        after = parse_cursor(request.GET.get("after"), last_seq=session.last_seq)
        limit = parse_limit(request.GET.get("limit"), default=EVENTS_LIMIT, cap=EVENTS_CAP)
    except BadInput as exc:
        return bad_input(exc)
    page = await run_read(read_page, session.id, after, session.last_seq, limit)
    has_more = bool(page) and page[-1].seq < session.last_seq
    tail = json.dumps(
        {"last_seq": session.last_seq, "status": session.status, "has_more": has_more}
    )
    # The events are JSON text already (encoded on the reader thread): splice, do not re-encode.
    body = '{"events":[' + ",".join(w.text for w in page) + "]," + tail[1:]
    return HttpResponse(body, content_type="application/json")


@session_endpoint("POST", control=True)
async def session_cancel(request: HttpRequest, access: Access) -> HttpResponse:
    """``POST /api/sessions/<id>/cancel/``: 202 in every state (owner and staff only)."""
    sid: uuid.UUID = access.session.id
    await request_cancel(sid)
    session = await Session.objects.select_related("run").aget(pk=sid)
    return JsonResponse(session_object(request, session, with_token=True), status=202)
