"""Workflows the runs' tests register (`AGENTSTREAM_WORKFLOWS`), by their dotted paths here."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

from streaming import Event, Phase, SessionClosed, emit, emit_sync
from streaming.log.models import Session
from streaming.runs.failures import WorkflowError

#: Gates of `gated_workflow`, by session; the `_open_gates` fixture opens those left shut.
GATES: dict[uuid.UUID, asyncio.Event] = {}
#: Set by `sync_node_workflow`'s agent thread once a closed session refused its emit.
SYNC_STOPPED: dict[uuid.UUID, threading.Event] = {}


async def quick_workflow(session: Session) -> dict:
    await emit(Event.for_agent("research", Phase.THINK, f"looking at {session.workspace}"))
    await emit(Event.for_agent("research", Phase.RESULT, "done", pct=1.0))
    return {"answer": 42}


async def gated_workflow(session: Session) -> None:
    """Emits one event, then waits until the test opens its gate."""
    gate = GATES.setdefault(session.id, asyncio.Event())
    await emit(Event.for_agent("research", Phase.THINK, "waiting at the gate"))
    await gate.wait()
    await emit(Event.for_agent("research", Phase.RESULT, "through the gate", pct=1.0))


async def failing_workflow(session: Session) -> None:
    await emit(Event.for_agent("architect", Phase.THINK, "about to fail"))
    raise RuntimeError("secret internal detail /etc/shadow")


async def user_error_workflow(session: Session) -> None:
    raise WorkflowError("The workspace is empty; add files and start again.", agent="research")


def _sync_agent(session_id: uuid.UUID) -> None:
    """A sync agent in a thread: emits until the closed session refuses it."""
    stopped = SYNC_STOPPED[session_id]
    try:
        for step in range(100_000):
            emit_sync(Event.for_agent("architect", Phase.PROGRESS, f"step {step}"))
            time.sleep(0.01)  # an agent at work between emits, not a wait for anything
    except SessionClosed:
        stopped.set()


async def sync_node_workflow(session: Session) -> None:
    SYNC_STOPPED[session.id] = threading.Event()
    await asyncio.to_thread(_sync_agent, session.id)
