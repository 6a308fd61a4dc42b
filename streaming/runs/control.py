"""Running sessions, as the rest of the site asks for it: start, launch, run here, cancel.

The runner starts session workflows, cancels them, and never leaves one running forever.

The HTTP API calls `launch` right after it creates a pending session and `request_cancel` for a
cancel (API or WebSocket frame); the site's views and the consumer's controls (`controls`) call
`ensure_started` when a client connects, so
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

from streaming.log.events import Phase
from streaming.log.models import SessionStatus
from streaming.runs import leases
from streaming.runs.cancels import signal_cancel
from streaming.runs.conf import conf
from streaming.runs.doorbell import ring_doorbell
from streaming.runs.lifecycle import end_session
from streaming.runs.process import get_runner

__all__ = ["ensure_started", "launch", "request_cancel", "run_session"]


async def ensure_started() -> None:
    """Start this process's runner if it has not started on this event loop yet.

    Idempotent, and cheap after the first call (no database query, no await of anything that
    blocks). Starting the runner starts its sweep (right away, then every
    ``AGENTSTREAM_LEASE_SECONDS / 2``): sessions whose runner died (their lease expired) end
    `failed`, and in worker mode the doorbell is re-rung while sessions wait. Call it from async
    code on the server's event loop (a consumer's `connect`, an async view), never from
    `AppConfig.ready()`, which also runs under `migrate`.
    """
    await get_runner("web" if conf.RUNNER == "worker" else "inline").start()


async def launch(session_id: uuid.UUID) -> None:
    """Start the workflow of a pending session, or queue it (inline); wake a worker (worker).

    Returns at once: the run goes on in the background, and its events go through the bus.
    """
    if conf.RUNNER == "worker":
        await get_runner("web").start()  # sweeps, and re-rings while sessions wait
        await ring_doorbell(get_channel_layer(), session_id)
        return
    await get_runner("inline").launch(session_id)


async def run_session(session_id: uuid.UUID, *, entry: str | None = None) -> str:
    """Run a pending session's workflow in this process and task; return its final status.

    For the command line: it ignores the cap and the mode; cancel it with `request_cancel`.
    `entry` is the dotted path of a workflow coroutine to run instead of the registered one.
    """
    return await get_runner("inline").run_here(session_id, entry)


async def request_cancel(session_id: uuid.UUID) -> None:
    """Cancel a session; idempotent, and a no-op for a session that has ended.

    The request is recorded in the database (the run's `cancel_requested_at`). A session
    running in this process is cancelled at once; one running elsewhere is signalled over the
    channel layer (and its runner also finds the request in the database if the signal is
    lost). A pending session is ended here, with `started` then `cancelled`.
    """
    await ensure_started()  # this process then sweeps too: a dead runner's session ends
    run = await database_sync_to_async(leases.record_cancel)(session_id=session_id)
    if run is None or run.session.ended_at is not None:
        return
    session = run.session
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
