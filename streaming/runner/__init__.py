"""The runner: starts session workflows, cancels them, and never leaves one running forever.

The HTTP API calls `launch` right after it creates a pending session and `request_cancel` for a
cancel (API or WebSocket frame); the transports call `ensure_started` when a client connects, so
every server process sweeps sessions left `running` by a dead one, even before it runs any.
``AGENTSTREAM_RUNNER`` picks the mode: ``inline`` runs the workflow in this process (up to
``AGENTSTREAM_MAX_CONCURRENT_RUNS`` at once, the rest wait pending and start in order);
``worker`` only rings the doorbell of the ``manage.py runworker agents`` processes, which claim
pending sessions from the database. See docs/runner.md.
"""

from __future__ import annotations

import uuid

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from streaming.conf import app_settings
from streaming.events import Phase
from streaming.models import SessionStatus
from streaming.runner import leases
from streaming.runner.control import signal_cancel
from streaming.runner.failures import WorkflowError
from streaming.runner.lifecycle import end_session
from streaming.runner.process import get_runner
from streaming.runner.worker import ring_doorbell

__all__ = ["WorkflowError", "ensure_started", "launch", "request_cancel", "run_session"]


async def ensure_started() -> None:
    """Start this process's runner if it has not started on this event loop yet.

    Idempotent, and cheap after the first call (no database query, no await of anything that
    blocks). Starting the runner starts its sweep (right away, then every
    ``AGENTSTREAM_LEASE_SECONDS / 2``): sessions whose runner died (their lease expired) end
    `failed`, and in worker mode the doorbell is re-rung while sessions wait. Call it from async
    code on the server's event loop (a consumer's `connect`, an async view), never from
    `AppConfig.ready()`, which also runs under `migrate`.
    """
    await get_runner("web" if app_settings.RUNNER == "worker" else "inline").start()


async def launch(session_id: uuid.UUID) -> None:
    """Start the workflow of a pending session, or queue it (inline); wake a worker (worker).

    Returns at once: the run goes on in the background, and its events go through the bus.
    """
    if app_settings.RUNNER == "worker":
        await get_runner("web").start()  # sweeps, and re-rings while sessions wait
        await ring_doorbell(get_channel_layer(), session_id)
        return
    await get_runner("inline").launch(session_id)


async def run_session(session_id: uuid.UUID, *, workflow: str | None = None) -> str:
    """Run a pending session's workflow in this process and task; return its final status.

    For the command line: it ignores the cap and the mode; cancel it with `request_cancel`.
    `workflow` is a dotted path to run instead of ``AGENTSTREAM_WORKFLOW``.
    """
    return await get_runner("inline").run_here(session_id, workflow)


async def request_cancel(session_id: uuid.UUID) -> None:
    """Cancel a session; idempotent, and a no-op for a session that has ended.

    The request is recorded in the database (`cancel_requested_at`). A session running in this
    process is cancelled at once; one running elsewhere is signalled over the channel layer (and
    its runner also finds the request in the database if the signal is lost). A pending session
    is ended here, with `started` then `cancelled`.
    """
    await ensure_started()  # this process then sweeps too: a dead runner's session ends
    session = await database_sync_to_async(leases.record_cancel)(session_id=session_id)
    if session is None or session.ended_at is not None:
        return
    runner = get_runner()
    if runner.cancel_local(session_id):
        return
    if session.status == SessionStatus.PENDING and await database_sync_to_async(leases.claim)(
        session_id=session_id, owner=runner.owner
    ):
        await end_session(
            session_id,
            Phase.CANCELLED,
            "Session cancelled before it started",
            data={"reason": "cancel_requested"},
            start=True,
        )
        return
    await signal_cancel(get_channel_layer(), session_id)
