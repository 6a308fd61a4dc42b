"""Worker mode: the database is the queue, the layer only wakes `runworker agents` processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from channels.routing import ChannelNameRouter
from channels.worker import Worker
from django.conf import settings as django_settings

from project import env
from streaming import testing
from streaming.log.groups import session_group
from streaming.log.models import Session
from streaming.runs.control import launch, request_cancel
from streaming.runs.process import current_runner
from streaming.runs.worker import WORKER_CHANNEL, AgentsWorkerConsumer
from streaming.testing import eventually
from tests.conftest import make_workspace
from tests.sessions import assert_well_formed, astored_events, wait_for_event, wait_for_status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_fresh_runner")]


BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture
def report_dir(settings, tmp_path):
    settings.AGENTSTREAM_REPORT_DIR = str(tmp_path / "reports")
    return tmp_path / "reports"


async def test_an_in_process_worker_claims_woken_and_unwoken_sessions(
    amake_session, user, settings, report_dir
):
    """Channels' own Worker on the in-memory layer, in this process: wake-ups start sessions up
    to the cap, and a session whose wake-up never came is found by the worker's poll."""
    settings.AGENTSTREAM_RUNNER = "worker"
    settings.AGENTSTREAM_MAX_CONCURRENT_RUNS = 2
    settings.AGENTSTREAM_LEASE_SECONDS = 3
    worker = Worker(
        application=ChannelNameRouter({WORKER_CHANNEL: AgentsWorkerConsumer.as_asgi()}),
        channels=[WORKER_CHANNEL],
        channel_layer=get_channel_layer(),
    )
    serving = asyncio.create_task(worker.handle())
    try:
        woken = [await amake_session(user, query=f"woken {i}") for i in range(3)]
        for session in woken:
            await launch(session.id)
        silent = await amake_session(user, query="never woken")
        for session in [*woken, silent]:
            ended = await wait_for_status(session.id, within=60)
            assert ended.status == "completed"
            assert_well_formed(await astored_events(session.id), "completed")
        assert current_runner() is not None
        assert current_runner().mode == "worker"
    finally:
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
        for details in list(worker.application_instances.values()):
            details["future"].cancel()


# -- a real worker process on PostgreSQL and Redis --------------------------------------------


@pytest.fixture
def worker_process(on_postgres, redis_url, settings, tmp_path):
    """`manage.py runworker agents` on the test database and Redis; stopped in teardown."""
    prefix = f"{os.environ.get('AGENTSTREAM_CHANNEL_PREFIX', 'agentstream')}-{uuid.uuid4().hex[:6]}"
    root = tmp_path / "workspaces"
    shutil.copytree(BASE_DIR / "agents" / "workspaces" / "sample", root / "sample")
    make_workspace(
        root,
        "many",
        {f"pkg{i // 100}/mod{i}.py": f"import os\nX = {i}\n" * 20 for i in range(4000)},
    )
    environ = {
        **os.environ,
        "AGENTSTREAM_WORKSPACE_ROOT": str(root),
        "DATABASE_URL": testing.database_url(),
        "AGENTSTREAM_REPORT_DIR": str(tmp_path / "reports"),
        "REDIS_URL": redis_url,
        "AGENTSTREAM_RUNNER": "worker",
        "AGENTSTREAM_CHANNEL_PREFIX": prefix,
        "PYTHONUNBUFFERED": "1",
    }
    settings.CHANNEL_LAYERS = env.channel_layers(redis_url)
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = prefix
    settings.AGENTSTREAM_RUNNER = "worker"
    testing.reset_channel_layers()
    log = open(tmp_path / "worker.log", "w+b")  # noqa: SIM115  closed in teardown
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runworker", WORKER_CHANNEL],
        cwd=BASE_DIR,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.seek(0)
    output = log.read().decode(errors="replace")
    log.close()
    print(output[-4000:])
    testing.reset_channel_layers()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
async def test_sessions_created_on_the_web_side_run_on_a_worker_and_stream_back(
    worker_process, amake_session, user
):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    sessions = [await amake_session(user, query=f"worker run {i}") for i in range(3)]
    for session in sessions:
        await layer.group_add(session_group(session.id), channel)
    for session in sessions:  # what the API does: create the row, then launch
        await launch(session.id)
    assert not current_runner().tasks  # nothing runs in this (web) process
    received: dict[str, list[dict]] = {str(s.id): [] for s in sessions}
    ended: set[str] = set()

    async def all_ended() -> bool:
        """Take the next group message (if one comes within a second); True once all ended."""
        if worker_process.poll() is not None:
            pytest.fail("the worker process died")
        with contextlib.suppress(TimeoutError):
            message = await asyncio.wait_for(layer.receive(channel), 1.0)
            received[message["sid"]].extend(message["events"])
            if any(e["phase"] in {"completed", "failed", "cancelled"} for e in message["events"]):
                ended.add(message["sid"])
        assert len(ended) == len(sessions), f"{len(ended)} of {len(sessions)} sessions ended"
        return True

    await eventually(all_ended, within=120, interval=0, what="the sessions to end on the worker")
    for session in sessions:
        stored = await astored_events(session.id)
        assert_well_formed(stored, "completed")
        assert received[str(session.id)] == stored  # every event, once, in order, as stored
        row = await Session.objects.aget(id=session.id)
        assert row.status == "completed"
        assert row.started_at is not None


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
async def test_a_cancel_from_the_web_side_stops_the_run_on_the_worker(
    worker_process, amake_session, user
):
    session = await amake_session(user, workspace="many")
    await launch(session.id)
    await wait_for_event(
        session.id,
        lambda e: e["agent"] == "research" and e["phase"] == "progress",
        within=60,
    )
    started = time.monotonic()
    await request_cancel(session.id)  # not running here: recorded, then signalled
    ended = await wait_for_status(session.id, within=10)
    elapsed = time.monotonic() - started
    assert ended.status == "cancelled"
    assert_well_formed(await astored_events(session.id), "cancelled")
    print(f"cancel across processes took {elapsed * 1000:.0f} ms")
