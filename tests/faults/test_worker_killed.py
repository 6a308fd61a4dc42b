"""A ``runworker agents`` process killed with SIGKILL mid-run.

Its lease stops being renewed; a live server's sweep ends the session ``failed`` (with
``data.reason`` "lease_expired") within twice the lease (docs/runner.md), and a client following
it gets every seq once and ``end``. The lease is shortened to 4 s for the suite
(`tests.faults.settings`): the contract is stated in leases, the default (30 s) would cost a
minute.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from streaming.testing import eventually
from tests.faults.checks import (
    assert_each_seq_once,
    assert_stored_exactly,
    event_data,
    session_status,
    stored,
)
from tests.faults.clients import Follower, finish_all, start_all
from tests.faults.processes import Worker

pytestmark = pytest.mark.faults

LEASE = 4.0
WORKFLOW = "faults-endless"


async def test_a_killed_runworkers_session_ends_failed_within_twice_the_lease(
    servers, emitter, workers, fault_env, fault_database, tmp_path
):
    worker_mode = {
        "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
        "AGENTSTREAM_FAULTS_LEASE_SECONDS": str(LEASE),
        "AGENTSTREAM_RUNNER": "worker",
        "AGENTSTREAM_WORKFLOWS": f"{WORKFLOW}=tests.faults.workflows.endless",
    }
    [server] = await servers.start("web", **worker_mode)
    worker = Worker({**fault_env, **worker_mode}, tmp_path)
    workers.append(worker)
    [[sid, token]] = await emitter.call("sessions", status="pending", workflow=WORKFLOW)
    # A client on the web server starts its runner, which sweeps (docs/runner.md).
    [follower] = start_all([Follower("ws", [server], sid, token)])

    async def claimed() -> bool:
        await emitter.call("wake")  # until the worker, still starting, is subscribed
        status, _ = await asyncio.to_thread(session_status, fault_database, sid)
        assert status == "running", f"session {status}; worker log:\n{worker.log.tail(1500)}"
        return True

    await eventually(claimed, within=60, interval=0.5, what="the worker to claim the session")
    await eventually(
        lambda: len(follower.seqs) >= 20, within=20, what=f"the run going: {follower.report()}"
    )
    worker.kill()
    killed = time.monotonic()

    async def failed() -> bool:
        status, _ = await asyncio.to_thread(session_status, fault_database, sid)
        assert status == "failed", f"session {status}"
        return True

    await eventually(
        failed,
        within=2 * LEASE,
        interval=0.1,
        what=f"the session to end failed within twice the lease ({2 * LEASE:g} s) of the kill",
    )
    ended_after = time.monotonic() - killed
    await finish_all([follower], within=20)
    rows = await asyncio.to_thread(stored, fault_database, sid)
    work = Counter(tag for _, _, _, tag, _ in rows)["work"]
    total = assert_stored_exactly(fault_database, sid, emitted={"work": work}, terminal="failed")
    assert_each_seq_once([follower], total)
    assert follower.end is not None
    assert follower.end.get("status") == "failed", follower.report()
    reason = (await asyncio.to_thread(event_data, fault_database, sid, total)).get("reason")
    assert reason == "lease_expired", f"the failed event's data.reason: {reason!r}"
    print(f"ended failed {ended_after:.1f} s after the kill (lease {LEASE:g} s), {total} events")
