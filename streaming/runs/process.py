"""The runner of one process: its runs, its queue, its lease heartbeat, its cancel channel.

One `Runner` per process and event loop (`get_runner`). It runs at most
``AGENTSTREAM_MAX_CONCURRENT_RUNS`` sessions at once; in inline mode the rest wait, pending and
reserved by this runner, and start in the order they were launched; in worker mode it claims the
oldest unreserved pending sessions from the database; a web process in worker mode runs nothing
but keeps sweeping and re-rings the doorbell while sessions wait. Background tasks, started
with the first run (never from `AppConfig.ready()`): a listener on the runner's own channel for
cancel signals, and a maintenance loop that renews its leases, picks up cancels the layer
dropped, sweeps expired leases and, in worker mode, polls the queue.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from typing import Any, Literal

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from streaming.log import outages
from streaming.runs import leases
from streaming.runs.cancels import control_group, listen
from streaming.runs.conf import conf
from streaming.runs.doorbell import ring_doorbell
from streaming.runs.lifecycle import run_claimed
from streaming.runs.models import Run
from streaming.runs.sweep import sweep

logger = logging.getLogger(__name__)

# inline: runs what this process launches; worker: claims from the database queue;
# web: a web process in worker mode, which runs nothing but sweeps and re-rings the doorbell.
Mode = Literal["inline", "worker", "web"]


class Runner:
    """Runs sessions in this process; see the module docstring."""

    def __init__(self, mode: Mode) -> None:
        self.mode: Mode = mode
        self.owner = leases.new_owner_id()
        self.loop = asyncio.get_running_loop()
        self.layer = get_channel_layer()
        self.tasks: dict[uuid.UUID, asyncio.Task[str]] = {}
        self.waiting: collections.deque[uuid.UUID] = collections.deque()
        self.cancelling: set[uuid.UUID] = set()
        self.channel: str | None = None
        self._pump_lock = asyncio.Lock()
        self._background: list[asyncio.Task[Any]] = []
        self._started = False
        self._stopping = False  # the loop is shutting down: start nothing new

    # -- starting and stopping ----------------------------------------------------------------

    async def start(self) -> None:
        """Start the cancel listener and the maintenance loop (once); sweep right away."""
        if self._started:
            return
        self._started = True
        if self.layer is not None:
            try:  # the cancel channel; without it a cancel still arrives through the database
                self.channel = await asyncio.wait_for(self.layer.new_channel(), 1.0)
            except Exception as exc:
                outages.channel_layer.failed(exc)
            else:
                self._background.append(asyncio.create_task(self._listen(), name="runner-listen"))
        self._background.append(asyncio.create_task(self._maintain(), name="runner-maintain"))

    async def stop(self) -> None:
        """Cancel the runs and background tasks of this runner and wait for them (tests)."""
        self._stopping = True
        for task in [*self.tasks.values(), *self._background]:
            task.cancel()
        await asyncio.gather(*self.tasks.values(), *self._background, return_exceptions=True)
        self._background.clear()

    @property
    def capacity(self) -> int:
        return max(int(conf.MAX_CONCURRENT_RUNS) - len(self.tasks), 0)

    # -- launching ----------------------------------------------------------------------------

    async def launch(self, session_id: uuid.UUID) -> None:
        """Queue a pending session in this process (inline) and start what the cap allows."""
        await self.start()
        if await database_sync_to_async(leases.reserve)(session_id=session_id, owner=self.owner):
            self.waiting.append(session_id)
        await self.pump()

    async def pump(self) -> None:
        """Start queued (inline) or claimable (worker) sessions while there is capacity."""
        await self.start()
        if self.mode == "web":
            return
        async with self._pump_lock:
            while self.capacity:
                if self.mode == "worker":
                    claimed = await database_sync_to_async(leases.claim_pending)(
                        owner=self.owner, limit=self.capacity
                    )
                    if not claimed:
                        return
                    for run in claimed:
                        self._spawn(run)
                    continue
                if not self.waiting:
                    return
                session_id = self.waiting.popleft()
                claimed_run = await database_sync_to_async(leases.claim)(
                    session_id=session_id, owner=self.owner
                )
                if claimed_run is not None:  # else cancelled or swept while it waited
                    self._spawn(claimed_run)

    async def run_here(self, session_id: uuid.UUID, entry: str | None = None) -> str:
        """Claim a pending session and run it here, past the cap (the CLI); `entry` is the
        dotted path of a workflow coroutine to run instead of the session's workflow."""
        await self.start()
        run = await database_sync_to_async(leases.claim)(session_id=session_id, owner=self.owner)
        if run is None:
            return "not_pending"
        return await self._spawn(run, entry)

    def _spawn(self, run: Run, entry: str | None = None) -> asyncio.Task[str]:
        sid = run.session_id
        if run.cancel_requested_at is not None:  # asked before this runner claimed it
            self.cancelling.add(sid)
        task = asyncio.create_task(self._run(run, entry), name=f"session-{sid}")
        self.tasks[sid] = task
        task.add_done_callback(lambda _task: self._finished(sid))
        return task

    def _finished(self, session_id: uuid.UUID) -> None:
        self.tasks.pop(session_id, None)
        self.cancelling.discard(session_id)
        if self._stopping or self.loop.is_closed():
            return
        if self.waiting or self.mode == "worker":
            self._background.append(asyncio.create_task(self.pump(), name="runner-pump"))
            self._background = [t for t in self._background if not t.done()]

    async def _run(self, run: Run, entry: str | None) -> str:
        sid = run.session_id
        group = control_group(sid)
        if self.layer is not None and self.channel is not None:
            await self.layer.group_add(group, self.channel)
        try:
            return await run_claimed(
                run, cancel_requested=lambda: sid in self.cancelling, entry=entry
            )
        finally:
            if self.layer is not None and self.channel is not None:
                try:
                    await asyncio.shield(self.layer.group_discard(group, self.channel))
                except Exception:  # the layer is only the doorbell; the group expires anyway
                    logger.warning("session %s: leaving the control group failed", sid)

    # -- cancelling ---------------------------------------------------------------------------

    def cancel_local(self, session_id: uuid.UUID) -> bool:
        """Cancel a run of this process; True if it was running here.

        A session still waiting in this process's queue is dropped from it (False: the caller
        ends it as a pending session).
        """
        task = self.tasks.get(session_id)
        if task is not None:
            self.cancelling.add(session_id)
            task.cancel()
            return True
        with contextlib.suppress(ValueError):
            self.waiting.remove(session_id)
        return False

    async def _listen(self) -> None:
        assert self.layer is not None
        assert self.channel is not None
        await listen(self.layer, self.channel, self.cancel_local)

    # -- maintenance --------------------------------------------------------------------------

    async def _maintain(self) -> None:
        """Renew leases, apply cancels the layer dropped, sweep, and poll the queue (worker)."""
        lease = float(conf.LEASE_SECONDS)
        tick = min(1.0, lease / 3)
        elapsed = {"renew": 0.0, "sweep": lease, "poll": 0.0}
        try:
            while True:
                try:
                    await self._maintenance_round(elapsed, lease)
                except Exception as exc:
                    if outages.is_database_error(exc):  # an outage: logged once, not per round
                        outages.database.failed(exc)
                    else:
                        logger.exception("runner %s: maintenance round failed", self.owner)
                await asyncio.sleep(tick)
                for key in elapsed:
                    elapsed[key] += tick
        except asyncio.CancelledError:
            self._stopping = True  # cancelled only when the loop or the runner stops
            raise

    async def _maintenance_round(self, elapsed: dict[str, float], lease: float) -> None:
        if self.tasks or self.waiting:
            for session_id in await database_sync_to_async(leases.cancels_for)(owner=self.owner):
                if session_id in self.tasks and session_id not in self.cancelling:
                    logger.info("session %s: cancel found in the database", session_id)
                    self.cancel_local(session_id)
        if elapsed["renew"] >= lease / 3 and (self.tasks or self.waiting):
            elapsed["renew"] = 0.0
            await database_sync_to_async(leases.renew)(owner=self.owner)
        if elapsed["sweep"] >= lease / 2:
            elapsed["sweep"] = 0.0
            await sweep(owner=self.owner)
        if elapsed["poll"] >= min(2.0, lease / 3) and self.mode != "inline" and self.capacity:
            elapsed["poll"] = 0.0
            if await database_sync_to_async(leases.has_pending)():
                if self.mode == "worker":
                    await self.pump()
                else:  # wake a worker that missed its doorbell or was restarted
                    await ring_doorbell(self.layer)


_runner: Runner | None = None


def current_runner() -> Runner | None:
    """Return this process's runner if it lives on the running loop, else None."""
    runner = _runner
    if runner is None or runner.loop is not asyncio.get_running_loop():
        return None
    if runner.layer is not get_channel_layer():
        return None
    return runner


def get_runner(mode: Mode = "inline") -> Runner:
    """Return this process's runner, made anew (in `mode`) if there is none on this loop yet.

    A runner belongs to one loop and one channel layer: a new loop (a new test) or a replaced
    layer gets a new runner.
    """
    global _runner
    runner = current_runner()
    if runner is None:
        runner = _runner = Runner(mode)
    elif runner.mode == "web" and mode == "worker":  # one process as web and worker (tests)
        runner.mode = "worker"
    return runner


async def reset_runner() -> None:
    """Stop and forget this process's runner (tests)."""
    global _runner
    runner, _runner = _runner, None
    if runner is not None and runner.loop is asyncio.get_running_loop():
        await runner.stop()
