"""A session's run: pending, running, then one terminal event carrying the workflow's outcome."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime

import pytest

from streaming.runs.control import launch
from streaming.runs.models import Run
from tests.sessions import assert_well_formed, astored_events, wait_for_event, wait_for_status
from tests.streaming.runs.workflows import GATES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_open_gates")]


async def test_launch_runs_pending_to_running_to_completed_with_started_first(
    workflow, amake_session, user
):
    workflow("gated_workflow")
    session = await amake_session(user)
    assert session.status == "pending"
    await launch(session.id)
    running = await wait_for_status(session.id, "running")
    assert running.started_at is not None
    run = await Run.objects.aget(session_id=session.id)
    assert run.lease_owner
    assert run.lease_expires_at > datetime.now(UTC)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    GATES[session.id].set()
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "completed"
    assert_well_formed(events, "completed")
    assert ended.last_seq == len(events)
    assert ended.ended_at is not None
    # The ended session's lease is left as it was and no longer held: nothing renews it.
    assert not await Run.objects.held_by(run.lease_owner).filter(session_id=session.id).aexists()


async def test_completed_event_carries_the_workflows_outcome(workflow, amake_session, user):
    workflow("quick_workflow")
    session = await amake_session(user, workspace="sample")
    await launch(session.id)
    await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert_well_formed(events, "completed")
    assert events[1]["msg"] == "looking at sample"
    assert events[-1]["data"] == {"answer": 42}


# The event loop is never blocked by the workflow's first import.
WORKFLOW_MODULE = """
import threading

IMPORTED_IN = threading.get_ident()


async def run(session):
    return {"imported_in": IMPORTED_IN}
"""


async def test_the_workflow_module_is_imported_off_the_event_loop(
    amake_session, user, settings, tmp_path, monkeypatch
):
    """The first import of the workflow (LangGraph and all) takes seconds: not on the loop."""
    name = f"workflow_{uuid.uuid4().hex}"
    await asyncio.to_thread((tmp_path / f"{name}.py").write_text, WORKFLOW_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.AGENTSTREAM_WORKFLOWS = {"survey": f"{name}.run"}
    session = await amake_session(user)
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "completed", events
    assert events[-1]["data"]["imported_in"] != threading.get_ident()
