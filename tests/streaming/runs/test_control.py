"""Runs as the site asks for them: launch, and a runner started when a client connects."""

from __future__ import annotations

import pytest

from streaming.log.models import Session
from streaming.runs.control import ensure_started, launch
from streaming.runs.models import Run
from streaming.runs.process import current_runner
from tests.sessions import assert_well_formed, astored_events, wait_for_status
from tests.streaming.runs.conftest import left_running_by_a_dead_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_open_gates")]


async def test_launch_of_a_session_that_is_not_pending_does_nothing(workflow, amake_session, user):
    workflow("quick_workflow")
    session = await amake_session(user, status="completed")
    await launch(session.id)  # reserves, queues and starts what it can before it returns
    runner = current_runner()
    assert runner is not None
    assert not runner.tasks
    assert not runner.waiting
    row = await Session.objects.aget(id=session.id)
    run = await Run.objects.aget(session_id=session.id)
    assert (row.status, run.lease_owner, row.started_at) == ("completed", "", None)
    assert await astored_events(session.id) == []


async def test_ensure_started_sweeps_what_a_dead_process_left_running(amake_session, user):
    """A restarted server: nothing launched or cancelled here yet, a client only connects."""
    stale = await left_running_by_a_dead_process(amake_session, user)
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
