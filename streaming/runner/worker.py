"""The worker side: ``python manage.py runworker agents`` (Channels' worker) runs workflows.

Web processes in worker mode only create the session and send a wake message to the ``agents``
channel. Layer messages may be dropped or expire, so the message carries no work: the database is
the queue, and a woken worker claims the oldest pending sessions up to its cap. The worker starts
its runner on the first message it gets, sweeps expired leases then and periodically, and polls
the queue, so a lost wake-up delays a session by a poll interval at most.
"""

from __future__ import annotations

import uuid
from typing import Any

from channels.consumer import AsyncConsumer

WORKER_CHANNEL = "agents"
WAKE_MESSAGE = "agents.wake"


async def ring_doorbell(layer: Any, session_id: uuid.UUID | None = None) -> None:
    """Wake one `runworker agents` process; the message carries no work (the database does)."""
    if layer is not None:
        message = {"type": WAKE_MESSAGE, "sid": str(session_id) if session_id else ""}
        await layer.send(WORKER_CHANNEL, message)


class AgentsWorkerConsumer(AsyncConsumer):
    """The ``agents`` channel's consumer: every wake-up claims what the cap allows."""

    async def agents_wake(self, message: dict[str, Any]) -> None:
        from streaming.runner.process import get_runner

        await get_runner("worker").pump()
