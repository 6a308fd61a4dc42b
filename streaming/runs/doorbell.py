"""Waking the workers: the ``agents`` channel's doorbell.

Web processes in worker mode only create the session and send a wake message to the ``agents``
channel. Layer messages may be dropped or expire, so the message carries no work: the database is
the queue, and a woken worker claims the oldest pending sessions up to its cap
(`streaming.runs.worker`).
"""

from __future__ import annotations

import uuid
from typing import Any

WORKER_CHANNEL = "agents"
WAKE_MESSAGE = "agents.wake"


async def ring_doorbell(layer: Any, session_id: uuid.UUID | None = None) -> None:
    """Wake one `runworker agents` process; the message carries no work (the database does)."""
    if layer is not None:
        message = {"type": WAKE_MESSAGE, "sid": str(session_id) if session_id else ""}
        await layer.send(WORKER_CHANNEL, message)
