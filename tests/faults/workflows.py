"""Workflows the fault suite registers (``AGENTSTREAM_WORKFLOWS``), by their dotted paths here."""

from __future__ import annotations

import asyncio

from streaming import Event, emit
from streaming.log.models import Session


async def endless(session: Session) -> None:
    """Emit an event every 50 ms (``data.tag`` "work", ``data.n`` 0, 1, …) until its process
    dies: a run that is always mid-way when the test kills it."""
    n = 0
    while True:
        data = {"tag": "work", "n": n}
        await emit(Event.for_agent("research", "think", f"work {n}", data=data))
        n += 1
        await asyncio.sleep(0.05)
