"""Waking workers: launch in worker mode only rings, and the web side rings while sessions wait."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from streaming.log.models import Session
from streaming.runs.control import launch
from streaming.runs.process import current_runner
from streaming.runs.worker import WORKER_CHANNEL

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_fresh_runner")]


async def test_launch_in_worker_mode_only_rings_the_doorbell(
    amake_session, user, settings, memory_layer
):
    settings.AGENTSTREAM_RUNNER = "worker"
    session = await amake_session(user)
    await launch(session.id)
    message = await asyncio.wait_for(get_channel_layer().receive(WORKER_CHANNEL), 5)
    assert message == {"type": "agents.wake", "sid": str(session.id)}
    assert current_runner().mode == "web"  # sweeps and re-rings, runs nothing
    assert not current_runner().tasks
    assert (await Session.objects.aget(id=session.id)).status == "pending"


async def test_a_web_process_re_rings_the_doorbell_while_sessions_wait(
    amake_session, user, settings, memory_layer
):
    """A worker restarted after its doorbell was rung (or one whose message was dropped) is
    woken again by the web side's maintenance loop."""
    settings.AGENTSTREAM_RUNNER = "worker"
    settings.AGENTSTREAM_LEASE_SECONDS = 1.5
    layer = get_channel_layer()
    session = await amake_session(user)
    await launch(session.id)
    first = await asyncio.wait_for(layer.receive(WORKER_CHANNEL), 5)
    assert first["sid"] == str(session.id)
    again = await asyncio.wait_for(layer.receive(WORKER_CHANNEL), 10)
    assert again["type"] == "agents.wake"
