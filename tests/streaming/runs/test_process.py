"""The runner of a process: its cap and queue, one per loop, sweeping at its start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async

from streaming.log.models import Session
from streaming.runs.control import launch, request_cancel
from streaming.runs.process import get_runner, reset_runner
from tests.sessions import astored_events, wait_for_event, wait_for_status
from tests.streaming.runs.workflows import GATES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_open_gates")]


async def test_the_cap_keeps_extra_sessions_pending_and_starts_them_in_order(
    workflow, amake_session, user, settings
):
    settings.AGENTSTREAM_MAX_CONCURRENT_RUNS = 2
    workflow("gated_workflow")
    sessions = [await amake_session(user, query=f"q{i}") for i in range(5)]
    for session in sessions:
        await launch(session.id)
    for session in sessions[:2]:
        await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    statuses = [(await Session.objects.aget(id=s.id)).status for s in sessions]
    assert statuses == ["running", "running", "pending", "pending", "pending"]
    order = []
    for index in range(5):
        session = sessions[index]
        await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
        running = await sync_to_async(list)(
            Session.objects.filter(status="running").values_list("query", flat=True)
        )
        assert len(running) <= 2
        order.append(session.query)
        GATES[session.id].set()
        await wait_for_status(session.id, "completed")
    started = await sync_to_async(list)(
        Session.objects.order_by("started_at").values_list("query", flat=True)
    )
    assert started == ["q0", "q1", "q2", "q3", "q4"]


async def test_a_queued_session_cancelled_while_waiting_never_starts(
    workflow, amake_session, user, settings
):
    settings.AGENTSTREAM_MAX_CONCURRENT_RUNS = 1
    workflow("gated_workflow")
    first = await amake_session(user)
    second = await amake_session(user)
    await launch(first.id)
    await launch(second.id)
    await request_cancel(second.id)
    assert (await Session.objects.aget(id=second.id)).status == "cancelled"
    GATES[first.id].set()
    await wait_for_status(first.id, "completed")
    events = await astored_events(second.id)
    assert [e["phase"] for e in events] == ["started", "cancelled"]


async def test_the_runner_sweeps_when_it_starts(workflow, amake_session, user):
    workflow("quick_workflow")
    expired_at = datetime.now(UTC) - timedelta(seconds=1)
    stale = await amake_session(
        user, status="running", lease_owner="gone", lease_expires_at=expired_at
    )
    fresh = await amake_session(user)
    await launch(fresh.id)
    assert (await wait_for_status(stale.id, within=10)).status == "failed"
    assert (await wait_for_status(fresh.id)).status == "completed"


async def test_runner_is_made_per_loop_and_stops_its_runs(workflow, amake_session, user):
    workflow("gated_workflow")
    runner = get_runner()
    assert get_runner() is runner
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    await reset_runner()
    ended = await wait_for_status(session.id)
    assert ended.status == "failed"
    events = await astored_events(session.id)
    assert events[-1]["data"]["reason"] == "runner_stopped"
