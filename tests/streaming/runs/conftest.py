"""Fixtures of the runs' tests: a fresh runner, a workflow to run, the in-memory layer, and a
session a dead process left running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async

from project import env
from streaming import Event, Phase, testing
from streaming.log.models import Session
from streaming.log.store import record_events
from tests.streaming.runs.workflows import GATES

WORKFLOWS = "tests.streaming.runs.workflows"


@pytest.fixture
def _open_gates(_fresh_runner):
    """A fresh runner per test; gates left shut are opened before its runs are stopped."""
    yield
    for gate in GATES.values():
        gate.set()
    GATES.clear()


@pytest.fixture
def workflow(settings):
    """Call with the name of a workflow of `tests.streaming.runs.workflows`: it runs as `survey`."""

    def use(name: str) -> None:
        settings.AGENTSTREAM_WORKFLOWS = {"survey": f"{WORKFLOWS}.{name}"}

    return use


@pytest.fixture
def memory_layer(settings):
    """The in-memory layer, also when REDIS_URL is set: these tests read the doorbell itself,
    and Redis pub/sub drops what is published before a reader subscribes (the worker-process
    tests in test_worker.py cover Redis)."""
    settings.CHANNEL_LAYERS = env.channel_layers(None)
    testing.reset_channel_layers()
    yield
    testing.reset_channel_layers()


async def left_running_by_a_dead_process(amake_session, user) -> Session:
    """A running session with `started` stored whose runner's lease expired 5 s ago."""
    expired_at = datetime.now(UTC) - timedelta(seconds=5)
    session = await amake_session(
        user,
        status="running",
        started_at=expired_at,
        lease_owner="dead-host:1:abcd",
        lease_expires_at=expired_at,
    )
    await sync_to_async(record_events)(
        session_id=session.id, events=[Event.for_session(Phase.STARTED, "started")]
    )
    return session
