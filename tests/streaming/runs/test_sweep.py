"""The sweep: sessions whose runner stopped renewing its lease end `failed`, saying why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streaming.log.models import Session
from streaming.runs.control import launch, request_cancel
from streaming.runs.models import Run
from streaming.runs.sweep import sweep
from streaming.testing import eventually
from tests.sessions import assert_well_formed, astored_events, wait_for_event, wait_for_status
from tests.streaming.runs.conftest import left_running_by_a_dead_process
from tests.streaming.runs.workflows import GATES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_open_gates")]


async def test_sweep_fails_a_session_whose_lease_expired(amake_session, user):
    session = await left_running_by_a_dead_process(amake_session, user)
    assert await sweep(owner="sweeper") == 1
    ended = await Session.objects.aget(id=session.id)
    events = await astored_events(session.id)
    assert ended.status == "failed"
    assert_well_formed(events, "failed")
    assert events[-1]["data"]["reason"] == "lease_expired"
    assert "stopped responding" in events[-1]["msg"]
    assert await sweep(owner="another-sweeper") == 0


async def test_sweep_adds_started_when_the_dead_runner_never_stored_it(amake_session, user):
    expired_at = datetime.now(UTC) - timedelta(seconds=1)
    running = await amake_session(
        user, status="running", lease_owner="x", lease_expires_at=expired_at
    )
    queued = await amake_session(user, lease_owner="y", lease_expires_at=expired_at)
    never_launched = await amake_session(user)
    assert await sweep(owner="sweeper") == 2
    for session in (running, queued):
        events = await astored_events(session.id)
        assert [e["phase"] for e in events] == ["started", "failed"]
    assert (await Session.objects.aget(id=never_launched.id)).status == "pending"


async def test_sweep_leaves_a_session_held_by_a_live_runner_alone(
    workflow, amake_session, user, settings
):
    # Renewed every second (a third of the lease), so a renewed lease has two seconds to spare
    # however slowly this machine runs the sweep below.
    settings.AGENTSTREAM_LEASE_SECONDS = 3
    workflow("gated_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    first = (await Run.objects.aget(session_id=session.id)).lease_expires_at
    # Past the first lease (time passing is what is tested here): only the live runner's
    # heartbeat keeps the session its own.
    await eventually(
        lambda: datetime.now(UTC) > first, within=30, what="the first lease to run out"
    )
    assert (await Run.objects.aget(session_id=session.id)).lease_expires_at > first
    assert await sweep(owner="another-process") == 0
    assert (await Session.objects.aget(id=session.id)).status == "running"
    GATES[session.id].set()
    assert (await wait_for_status(session.id)).status == "completed"


async def test_a_cancel_of_a_session_whose_process_died_ends_it(amake_session, user):
    """The cancel is recorded, its signal reaches no one; the process that took it sweeps."""
    stale = await left_running_by_a_dead_process(amake_session, user)
    await request_cancel(stale.id)
    ended = await wait_for_status(stale.id, within=10)
    assert ended.status == "failed"
    assert (await Run.objects.aget(session_id=stale.id)).cancel_requested_at is not None
    events = await astored_events(stale.id)
    assert events[-1]["data"]["reason"] == "lease_expired"
