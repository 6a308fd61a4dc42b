"""Cancel a running, queued, pending, ended or unknown session, by signal or from the database."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import pytest
from channels.layers import get_channel_layer

from streaming import flush
from streaming.log.models import Session
from streaming.runs.cancels import CANCEL_MESSAGE, control_group
from streaming.runs.control import launch, request_cancel
from streaming.runs.models import Run
from streaming.runs.process import current_runner
from tests.sessions import assert_well_formed, astored_events, wait_for_event, wait_for_status
from tests.streaming.runs.workflows import SYNC_STOPPED

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_open_gates")]


async def test_cancel_of_a_running_session_stops_it_and_ends_cancelled(
    workflow, amake_session, user
):
    workflow("gated_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    started = time.monotonic()
    await request_cancel(session.id)
    ended = await wait_for_status(session.id, within=5)
    elapsed = time.monotonic() - started
    events = await astored_events(session.id)
    assert ended.status == "cancelled"
    assert (await Run.objects.aget(session_id=session.id)).cancel_requested_at is not None
    assert_well_formed(events, "cancelled")
    assert "through the gate" not in [e["msg"] for e in events]
    print(f"cancel took {elapsed * 1000:.1f} ms")


async def test_cancel_stops_a_sync_agent_at_its_next_emit(workflow, amake_session, user):
    workflow("sync_node_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "step 3")
    await request_cancel(session.id)
    await wait_for_status(session.id, "cancelled", within=5)
    stopped = SYNC_STOPPED[session.id]
    assert await asyncio.to_thread(stopped.wait, 5), "the sync agent kept going"
    await flush()  # anything it still queued would be refused, never stored
    events = await astored_events(session.id)
    assert_well_formed(events, "cancelled")


async def test_cancel_is_idempotent_and_leaves_an_ended_session_alone(
    workflow, amake_session, user
):
    workflow("quick_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_status(session.id, "completed")
    before = await astored_events(session.id)
    await request_cancel(session.id)
    await request_cancel(session.id)
    after = await Session.objects.aget(id=session.id)
    assert after.status == "completed"
    assert (await Run.objects.aget(session_id=session.id)).cancel_requested_at is None
    assert await astored_events(session.id) == before


async def test_cancel_of_a_pending_session_ends_it_with_started_then_cancelled(amake_session, user):
    session = await amake_session(user)
    await request_cancel(session.id)
    await request_cancel(session.id)
    ended = await Session.objects.aget(id=session.id)
    events = await astored_events(session.id)
    assert ended.status == "cancelled"
    assert [e["phase"] for e in events] == ["started", "cancelled"]


async def test_cancel_of_an_unknown_session_is_a_no_op(amake_session, user):
    bystander = await amake_session(user)
    assert await request_cancel(uuid.uuid4()) is None
    # Nothing recorded or ended: no row made for the unknown id, the other session untouched.
    assert [run.session_id async for run in Run.objects.all()] == [bystander.id]
    assert (await Run.objects.aget(session_id=bystander.id)).cancel_requested_at is None
    assert (await Session.objects.aget(id=bystander.id)).status == "pending"
    assert await astored_events(bystander.id) == []
    assert not current_runner().tasks


async def test_a_cancel_signal_over_the_layer_reaches_the_runner_of_the_session(
    workflow, amake_session, user
):
    """The signal another process's `request_cancel` sends (alone: no database record, so the
    runner's database fallback cannot be what stops it)."""
    workflow("gated_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    await get_channel_layer().group_send(
        control_group(session.id), {"type": CANCEL_MESSAGE, "sid": str(session.id)}
    )
    ended = await wait_for_status(session.id, within=5)
    assert ended.status == "cancelled"


async def test_a_cancel_whose_signal_was_lost_is_found_in_the_database(
    workflow, amake_session, user, settings
):
    settings.AGENTSTREAM_LEASE_SECONDS = 1.5
    workflow("gated_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    await Run.objects.filter(session_id=session.id).aupdate(cancel_requested_at=datetime.now(UTC))
    ended = await wait_for_status(session.id, within=10)
    assert ended.status == "cancelled"


async def test_a_cancel_recorded_before_the_claim_ends_the_run_at_once(
    workflow, amake_session, user
):
    """A cancel that lost the race for the pending session to a runner still wins."""
    workflow("gated_workflow")
    session = await amake_session(user, cancel_requested_at=datetime.now(UTC))
    await launch(session.id)
    ended = await wait_for_status(session.id, within=5)
    assert ended.status == "cancelled"
    assert [e["phase"] for e in await astored_events(session.id)] == ["started", "cancelled"]
