"""One session's run, from `started` to its terminal event, under the session's context.

`run_claimed` is called with a session already claimed (status running, lease held). It binds the
session, emits `started` (always the first event), awaits the workflow, and emits exactly one
terminal event with ``wait=True``: the bus stores it and sets the session's status in the same
transaction, so the status never says "ended" before the event is stored. The status is never
set here.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.module_loading import import_string

from streaming.log.bus import emit
from streaming.log.context import bound_session
from streaming.log.events import Event, Phase
from streaming.log.exceptions import SessionClosed
from streaming.runs.failures import describe
from streaming.runs.models import Run
from streaming.runs.workflows import Entry, get_workflow

logger = logging.getLogger(__name__)


def load_entry(run: Run, entry: str | None = None) -> Entry:
    """Return the coroutine function that runs `run`: its registered workflow's entry point,
    or the one at the dotted path `entry`.

    The first call imports its module (LangGraph and all: seconds): call it in a thread.
    """
    if entry is not None:
        function: Entry = import_string(entry)
        return function
    return get_workflow(run.workflow).load()


async def end_session(
    session_id: uuid.UUID,
    phase: Phase,
    msg: str,
    *,
    data: Mapping[str, Any] | None = None,
    start: bool = False,
) -> bool:
    """Emit (with `started` first if `start`) the terminal event; False if already closed."""
    with bound_session(session_id):
        try:
            if start:
                await emit(Event.for_session(Phase.STARTED, "Session started"), wait=True)
            await emit(Event.for_session(phase, msg, data=data), wait=True)
        except SessionClosed:
            return False
    return True


async def run_claimed(
    run: Run, *, cancel_requested: Callable[[], bool], entry: str | None = None
) -> str:
    """Run the workflow of a claimed session; return the status it ended with.

    `entry` is the dotted path of a workflow coroutine to run instead of the registered one
    (the command line's ``--workflow``). Cancellation of the calling
    task ends the session `cancelled` if `cancel_requested()` says a user asked for it, else
    `failed` (the process is shutting down). Any exception from the workflow ends it `failed`,
    after an `error` event with a message for the user; the traceback goes to the log with the
    session id.
    """
    session = run.session
    sid = session.id
    with bound_session(sid):
        try:
            await emit(
                Event.for_session(
                    Phase.STARTED,
                    "Session started",
                    data={"workspace": session.workspace},
                ),
                wait=True,
            )
            if cancel_requested():
                raise asyncio.CancelledError
            workflow = await asyncio.to_thread(load_entry, run, entry)  # imports take seconds
            outcome = await workflow(session)
            data = dict(outcome) if isinstance(outcome, Mapping) else {}
            await emit(
                Event.for_session(Phase.COMPLETED, "Session completed", data=data), wait=True
            )
            return Phase.COMPLETED.value
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            return await _stopped(sid, user=cancel_requested())
        except SessionClosed:
            # Ended elsewhere: a sweeper took it over, or a cancel closed it. Nothing to store.
            logger.info("session %s was closed while its workflow ran", sid)
            return "closed"
        except Exception as exc:
            logger.exception("session %s: the workflow failed", sid)
            return await _failed(sid, exc)


async def _stopped(sid: uuid.UUID, *, user: bool) -> str:
    if user:
        msg, phase = "Session cancelled at the user's request", Phase.CANCELLED
        data: dict[str, Any] = {"reason": "cancel_requested"}
    else:
        msg = (
            "The process running this session stopped before it finished; "
            "start a new session to run it again."
        )
        phase, data = Phase.FAILED, {"reason": "runner_stopped"}
    try:
        await emit(Event.for_session(phase, msg, data=data), wait=True)
    except SessionClosed:
        return "closed"
    return phase.value


async def _failed(sid: uuid.UUID, exc: BaseException) -> str:
    failure = describe(exc, sid)
    error = (
        Event.for_agent(
            failure.agent, Phase.ERROR, failure.message, data={"reason": failure.reason}
        )
        if failure.agent and failure.agent != "supervisor"
        else Event.for_supervisor(Phase.ERROR, failure.message, data={"reason": failure.reason})
    )
    try:
        await emit(error)
        await emit(
            Event.for_session(
                Phase.FAILED, f"Session failed: {failure.message}", data={"reason": failure.reason}
            ),
            wait=True,
        )
    except SessionClosed:
        return "closed"
    return Phase.FAILED.value
