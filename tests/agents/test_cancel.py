"""Cancel reaches the agents: async waits stop at once, a sync LangGraph node at its next emit."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph

from streaming import Event, Phase, SessionClosed, emit_sync, get_session_id
from streaming.runs.control import launch, request_cancel
from tests.agents.support import (
    assert_well_formed,
    astored_events,
    make_workspace,
    wait_for_event,
    wait_for_status,
)

pytestmark = pytest.mark.django_db(transaction=True)
STOPPED: dict[uuid.UUID, threading.Event] = {}


class _State(TypedDict, total=False):
    steps: int


def busy_sync_node(state: _State) -> _State:
    """A plain sync node (LangGraph runs it in its executor): works and emits until refused."""
    session_id = get_session_id()
    assert session_id is not None
    try:
        for step in range(1_000_000):
            sum(range(2_000))  # some CPU work between emits
            emit_sync(Event.for_agent("architect", Phase.PROGRESS, f"step {step}"))
            time.sleep(0.005)
    except SessionClosed:
        STOPPED[session_id].set()
        raise
    return {"steps": step}


async def sync_node_graph_workflow(session) -> None:
    STOPPED[session.id] = threading.Event()
    graph = StateGraph(_State)
    graph.add_node("busy", busy_sync_node)
    graph.add_edge(START, "busy")
    graph.add_edge("busy", END)
    async for _ in graph.compile().astream({}, stream_mode=["updates", "custom"]):
        pass


async def test_cancel_stops_a_sync_langgraph_node_at_its_next_emit(amake_session, user, settings):
    settings.AGENTSTREAM_WORKFLOWS = {"survey": f"{__name__}.sync_node_graph_workflow"}
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "step 5")
    await request_cancel(session.id)
    assert (await wait_for_status(session.id, within=5)).status == "cancelled"
    assert await asyncio.to_thread(STOPPED[session.id].wait, 5), "the sync node kept working"
    events = await astored_events(session.id)
    assert_well_formed(events, "cancelled")


async def test_cancel_during_research_ends_the_real_workflow_cancelled(
    amake_session, user, workspace_root
):
    make_workspace(
        workspace_root,
        "many",
        {f"pkg{i // 100}/mod{i}.py": f"import os\nX = {i}\n" * 20 for i in range(3000)},
    )
    session = await amake_session(user, workspace="many")
    await launch(session.id)
    await wait_for_event(
        session.id, lambda e: e["agent"] == "research" and e["phase"] == "progress"
    )
    await request_cancel(session.id)
    assert (await wait_for_status(session.id, within=5)).status == "cancelled"
    events = await astored_events(session.id)
    assert_well_formed(events, "cancelled")
    assert not [e for e in events if e["agent"] == "research" and e["phase"] == "result"]
