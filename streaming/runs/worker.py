"""The worker side: ``python manage.py runworker agents`` (Channels' worker) runs workflows.

A woken worker (`streaming.runs.doorbell`) starts its runner on the first message it gets, claims
what its cap allows, sweeps expired leases then and periodically, and polls the queue, so a lost
wake-up delays a session by a poll interval at most.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import AsyncConsumer

from streaming.runs.doorbell import WORKER_CHANNEL
from streaming.runs.process import get_runner

__all__ = ["WORKER_CHANNEL", "AgentsWorkerConsumer"]


class AgentsWorkerConsumer(AsyncConsumer):
    """The ``agents`` channel's consumer: every wake-up claims what the cap allows."""

    async def agents_wake(self, message: dict[str, Any]) -> None:
        await get_runner("worker").pump()
