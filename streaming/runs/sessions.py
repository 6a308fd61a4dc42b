"""Creating sessions: the one write path for new sessions (the API, the pages, the CLI).

`create_session` validates the query, the workflow and the workspace, applies the per-user rate
limit (``AGENTSTREAM_SESSIONS_PER_MINUTE``, counted from the database so it holds across processes;
refused requests store nothing and so do not count) and stores a pending session with its `Run`.
Starting the run is the caller's next step (`streaming.runs.launch`).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from streaming.log.models import Session
from streaming.runs.conf import conf
from streaming.runs.exceptions import BadQuery, BadWorkspace, RateLimited, UnknownWorkflow
from streaming.runs.models import Run
from streaming.runs.workflows import get_workflow
from streaming.runs.workspaces import resolve_workspace

if TYPE_CHECKING:
    # django-stubs' alias for AUTH_USER_MODEL, which its mypy plugin resolves from the settings
    # (no public spelling yet: typeddjango/django-stubs#2366).
    from django.contrib.auth.models import _User as AuthUser

MAX_QUERY_CHARS = 10_000
RATE_WINDOW = timedelta(minutes=1)


def validate_query(query: object) -> str:
    """Return `query` if it is a string of 1 to 10,000 characters with some text; else raise."""
    if not isinstance(query, str):
        raise BadQuery("query must be a string")
    if not query.strip():
        raise BadQuery("query must not be empty")
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    if "\x00" in query:
        raise BadQuery("query must not contain NUL characters")
    return query


def create_session(
    *,
    owner: AuthUser,
    query: object,
    workspace: object = None,
    workflow: object = None,
    rate_limited: bool = True,
    entry: str | None = None,
) -> Session:
    """Store a new pending session of `owner` (and its run) and return it.

    Raise `BadQuery`, `BadWorkspace`, `UnknownWorkflow`, or `RateLimited` when `owner` started
    ``AGENTSTREAM_SESSIONS_PER_MINUTE`` sessions in the last minute. The command line is not
    `rate_limited`, and may run an `entry` (the dotted path of a workflow coroutine, never
    taken from a request) instead of a registered workflow: the run records that path.
    """
    text = validate_query(query)
    if workflow is not None and not isinstance(workflow, str):
        raise UnknownWorkflow("workflow must be a string")
    workflow_name = entry[:64] if entry is not None else get_workflow(workflow).name
    if workspace is not None and not isinstance(workspace, str):
        raise BadWorkspace("workspace must be a string")
    name = workspace or conf.DEFAULT_WORKSPACE or ""
    resolve_workspace(name)
    limit = conf.SESSIONS_PER_MINUTE
    with transaction.atomic():
        # One creation per user at a time (a row lock on PostgreSQL; SQLite's IMMEDIATE
        # transactions serialise writers anyway), so two requests cannot both take the last slot.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
        now = timezone.now()
        recent = list(
            Session.objects.filter(owner=owner, created_at__gt=now - RATE_WINDOW)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if rate_limited and len(recent) >= limit:
            frees_at = recent[len(recent) - limit] + RATE_WINDOW
            retry_after = max(1, math.ceil((frees_at - now).total_seconds()))
            raise RateLimited(
                f"at most {limit} new sessions a minute; try again in {retry_after} s",
                retry_after=retry_after,
            )
        session = Session.objects.create(owner=owner, query=text, workspace=name)
        Run.objects.create(session=session, workflow=workflow_name)
        return session


async def acreate_session(
    *, owner: AuthUser, query: object, workspace: object = None, workflow: object = None
) -> Session:
    """`create_session` for async callers."""
    return await sync_to_async(create_session)(
        owner=owner, query=query, workspace=workspace, workflow=workflow
    )
