"""The runner: lifecycle, failures, cancel, the per-process cap, leases and the sweep."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from streaming import Event, Phase, SessionClosed, emit, emit_sync, flush
from streaming.log.models import Session
from streaming.runs.cancels import CANCEL_MESSAGE, control_group
from streaming.runs.control import ensure_started, launch, request_cancel
from streaming.runs.failures import WorkflowError
from streaming.runs.models import Run
from streaming.runs.process import current_runner, get_runner, reset_runner
from streaming.runs.sweep import sweep
from tests.agents.support import (
    assert_well_formed,
    astored_events,
    wait_for_event,
    wait_for_status,
)

pytestmark = pytest.mark.django_db(transaction=True)
HERE = "tests.streaming.test_runner"

# -- workflows the tests run (registered as `survey` in AGENTSTREAM_WORKFLOWS) --------------------

GATES: dict[uuid.UUID, asyncio.Event] = {}
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
            time.sleep(0.01)
    except SessionClosed:
        stopped.set()


async def sync_node_workflow(session: Session) -> None:
    SYNC_STOPPED[session.id] = threading.Event()
    await asyncio.to_thread(_sync_agent, session.id)


# -- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _open_gates(_fresh_runner):
    """A fresh runner per test; gates left shut are opened before its runs are stopped."""
    yield
    for gate in GATES.values():
        gate.set()
    GATES.clear()


@pytest.fixture
def workflow(settings):
    def use(name: str) -> None:
        settings.AGENTSTREAM_WORKFLOWS = {"survey": f"{HERE}.{name}"}

    return use


async def _session(amake_session, user, **fields) -> Session:
    return await amake_session(user, **fields)


# -- lifecycle ------------------------------------------------------------------------------------


async def test_launch_runs_pending_to_running_to_completed_with_started_first(
    workflow, amake_session, user
):
    workflow("gated_workflow")
    session = await _session(amake_session, user)
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
    session = await _session(amake_session, user, workspace="sample")
    await launch(session.id)
    await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert_well_formed(events, "completed")
    assert events[1]["msg"] == "looking at sample"
    assert events[-1]["data"] == {"answer": 42}


async def test_launch_of_a_session_that_is_not_pending_does_nothing(workflow, amake_session, user):
    workflow("quick_workflow")
    session = await _session(amake_session, user, status="completed")
    await launch(session.id)  # reserves, queues and starts what it can before it returns
    runner = current_runner()
    assert runner is not None
    assert not runner.tasks
    assert not runner.waiting
    row = await Session.objects.aget(id=session.id)
    run = await Run.objects.aget(session_id=session.id)
    assert (row.status, run.lease_owner, row.started_at) == ("completed", "", None)
    assert await astored_events(session.id) == []


# -- failures -------------------------------------------------------------------------------------


async def test_an_exception_fails_the_session_with_an_error_event_and_no_traceback(
    workflow, amake_session, user, caplog
):
    workflow("failing_workflow")
    session = await _session(amake_session, user)
    with caplog.at_level(logging.ERROR, logger="streaming.runs"):
        await launch(session.id)
        ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "failed"
    assert_well_formed(events, "failed")
    error = events[-2]
    assert (error["t"], error["phase"]) == ("supervisor_event", "error")
    assert str(session.id) in error["msg"]
    assert "server log" in error["msg"]
    for event in events:
        assert "secret internal detail" not in event["msg"]
        assert "Traceback" not in event["msg"]
        assert "secret" not in str(event["data"])
    logged = [r for r in caplog.records if str(session.id) in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert "secret internal detail" in str(logged[0].exc_info[1])


async def test_a_workflow_error_reaches_the_user_as_written_from_its_agent(
    workflow, amake_session, user
):
    workflow("user_error_workflow")
    session = await _session(amake_session, user)
    await launch(session.id)
    await wait_for_status(session.id, "failed")
    events = await astored_events(session.id)
    assert_well_formed(events, "failed")
    assert events[-2]["agent"] == "research"
    assert events[-2]["phase"] == "error"
    assert events[-2]["msg"] == "The workspace is empty; add files and start again."
    assert events[-1]["msg"].endswith("The workspace is empty; add files and start again.")


# -- cancel ---------------------------------------------------------------------------------------


async def test_cancel_of_a_running_session_stops_it_and_ends_cancelled(
    workflow, amake_session, user
):
    workflow("gated_workflow")
    session = await _session(amake_session, user)
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
    session = await _session(amake_session, user)
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
    session = await _session(amake_session, user)
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
    session = await _session(amake_session, user)
    await request_cancel(session.id)
    await request_cancel(session.id)
    ended = await Session.objects.aget(id=session.id)
    events = await astored_events(session.id)
    assert ended.status == "cancelled"
    assert [e["phase"] for e in events] == ["started", "cancelled"]


async def test_cancel_of_an_unknown_session_is_a_no_op():
    await request_cancel(uuid.uuid4())


async def test_a_cancel_signal_over_the_layer_reaches_the_runner_of_the_session(
    workflow, amake_session, user
):
    """The signal another process's `request_cancel` sends (alone: no database record, so the
    runner's database fallback cannot be what stops it)."""
    workflow("gated_workflow")
    session = await _session(amake_session, user)
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
    session = await _session(amake_session, user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    await Run.objects.filter(session_id=session.id).aupdate(cancel_requested_at=datetime.now(UTC))
    ended = await wait_for_status(session.id, within=10)
    assert ended.status == "cancelled"


# -- capacity -------------------------------------------------------------------------------------


async def test_the_cap_keeps_extra_sessions_pending_and_starts_them_in_order(
    workflow, amake_session, user, settings
):
    settings.AGENTSTREAM_MAX_CONCURRENT_RUNS = 2
    workflow("gated_workflow")
    sessions = [await _session(amake_session, user, query=f"q{i}") for i in range(5)]
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
    first = await _session(amake_session, user)
    second = await _session(amake_session, user)
    await launch(first.id)
    await launch(second.id)
    await request_cancel(second.id)
    assert (await Session.objects.aget(id=second.id)).status == "cancelled"
    GATES[first.id].set()
    await wait_for_status(first.id, "completed")
    events = await astored_events(second.id)
    assert [e["phase"] for e in events] == ["started", "cancelled"]


# -- leases and the sweep -------------------------------------------------------------------------


async def test_sweep_fails_a_session_whose_lease_expired(amake_session, user):
    session = await _left_running_by_a_dead_process(amake_session, user)
    assert await sweep(owner="sweeper") == 1
    ended = await Session.objects.aget(id=session.id)
    events = await astored_events(session.id)
    assert ended.status == "failed"
    assert_well_formed(events, "failed")
    assert events[-1]["data"]["reason"] == "lease_expired"
    assert "stopped responding" in events[-1]["msg"]
    assert await sweep(owner="another-sweeper") == 0


def _store_started(session_id: uuid.UUID) -> None:
    from streaming.log.store import record_events

    record_events(session_id=session_id, events=[Event.for_session(Phase.STARTED, "started")])


async def test_sweep_adds_started_when_the_dead_runner_never_stored_it(amake_session, user):
    expired_at = datetime.now(UTC) - timedelta(seconds=1)
    running = await _session(
        amake_session, user, status="running", lease_owner="x", lease_expires_at=expired_at
    )
    queued = await _session(amake_session, user, lease_owner="y", lease_expires_at=expired_at)
    never_launched = await _session(amake_session, user)
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
    session = await _session(amake_session, user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    first = (await Run.objects.aget(session_id=session.id)).lease_expires_at
    # Past the first lease: only the live runner's heartbeat keeps the session its own.
    deadline = time.monotonic() + 30
    while datetime.now(UTC) <= first:
        assert time.monotonic() < deadline, "the first lease never expired"
        await asyncio.sleep(0.05)
    assert (await Run.objects.aget(session_id=session.id)).lease_expires_at > first
    assert await sweep(owner="another-process") == 0
    assert (await Session.objects.aget(id=session.id)).status == "running"
    GATES[session.id].set()
    assert (await wait_for_status(session.id)).status == "completed"


async def test_the_runner_sweeps_when_it_starts(workflow, amake_session, user):
    workflow("quick_workflow")
    expired_at = datetime.now(UTC) - timedelta(seconds=1)
    stale = await _session(
        amake_session, user, status="running", lease_owner="gone", lease_expires_at=expired_at
    )
    fresh = await _session(amake_session, user)
    await launch(fresh.id)
    assert (await wait_for_status(stale.id, within=10)).status == "failed"
    assert (await wait_for_status(fresh.id)).status == "completed"


async def test_runner_is_made_per_loop_and_stops_its_runs(workflow, amake_session, user):
    workflow("gated_workflow")
    runner = get_runner()
    assert get_runner() is runner
    session = await _session(amake_session, user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "waiting at the gate")
    await reset_runner()
    ended = await wait_for_status(session.id)
    assert ended.status == "failed"
    events = await astored_events(session.id)
    assert events[-1]["data"]["reason"] == "runner_stopped"


async def test_a_cancel_recorded_before_the_claim_ends_the_run_at_once(
    workflow, amake_session, user
):
    """A cancel that lost the race for the pending session to a runner still wins."""
    workflow("gated_workflow")
    session = await _session(amake_session, user, cancel_requested_at=datetime.now(UTC))
    await launch(session.id)
    ended = await wait_for_status(session.id, within=5)
    assert ended.status == "cancelled"
    assert [e["phase"] for e in await astored_events(session.id)] == ["started", "cancelled"]


# -- a process that has not run anything yet ------------------------------------------------------


async def _left_running_by_a_dead_process(amake_session, user) -> Session:
    expired_at = datetime.now(UTC) - timedelta(seconds=5)
    session = await _session(
        amake_session,
        user,
        status="running",
        started_at=expired_at,
        lease_owner="dead-host:1:abcd",
        lease_expires_at=expired_at,
    )
    await sync_to_async(_store_started)(session.id)
    return session


async def test_ensure_started_sweeps_what_a_dead_process_left_running(amake_session, user):
    """A restarted server: nothing launched or cancelled here yet, a client only connects."""
    stale = await _left_running_by_a_dead_process(amake_session, user)
    assert current_runner() is None
    await ensure_started()
    runner = current_runner()
    assert runner is not None
    ended = await wait_for_status(stale.id, within=10)
    assert ended.status == "failed"
    events = await astored_events(stale.id)
    assert_well_formed(events, "failed")
    assert events[-1]["data"]["reason"] == "lease_expired"
    background = list(runner._background)
    await ensure_started()
    await ensure_started()
    assert current_runner() is runner
    assert runner._background == background  # idempotent: no second sweeper or listener


async def test_ensure_started_in_worker_mode_starts_a_web_runner(settings):
    settings.AGENTSTREAM_RUNNER = "worker"
    await ensure_started()
    runner = current_runner()
    assert runner is not None
    assert runner.mode == "web"  # sweeps and re-rings the doorbell, runs nothing
    assert runner._background


async def test_a_cancel_of_a_session_whose_process_died_ends_it(amake_session, user):
    """The cancel is recorded, its signal reaches no one; the process that took it sweeps."""
    stale = await _left_running_by_a_dead_process(amake_session, user)
    await request_cancel(stale.id)
    ended = await wait_for_status(stale.id, within=10)
    assert ended.status == "failed"
    assert (await Run.objects.aget(session_id=stale.id)).cancel_requested_at is not None
    events = await astored_events(stale.id)
    assert events[-1]["data"]["reason"] == "lease_expired"


# -- the event loop is never blocked by the workflow's first import ------------------------------

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
    session = await _session(amake_session, user)
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "completed", events
    assert events[-1]["data"]["imported_in"] != threading.get_ident()
