"""One watcher per process for the live streams: idle rereads and group re-joins.

The channel layer drops messages, and a dropped *last* message leaves no seq jump to notice.
So about once a second the watcher rereads `last_seq` of every session whose streams heard
nothing for that long — in one query for all of them, not one per connection — and wakes the
streams that are behind. It also re-joins long-lived streams to their group before
channels-redis' `group_expiry` forgets them. It runs only while some stream is live.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Protocol

from channels.layers import get_channel_layer

from streaming.log.conf import conf
from streaming.log.follow.membership import Membership
from streaming.log.follow.reads import SessionState, read_states, run_read


class Watched(Protocol):
    """What the watcher needs of a live stream (`streaming.log.follow.tail.SessionTail`)."""

    session_id: uuid.UUID
    membership: Membership | None
    last_heard: float

    @property
    def ended(self) -> object | None: ...

    def observe(self, state: SessionState) -> None: ...


logger = logging.getLogger(__name__)


class Watcher:
    """The set of live tails of this process and the task that looks after them."""

    def __init__(self) -> None:
        self._tails: set[Watched] = set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._tails)

    def add(self, tail: Watched) -> None:
        """Watch `tail` until `discard`; start the task on the running loop if needed."""
        self._tails.add(tail)
        loop = asyncio.get_running_loop()
        task = self._task
        if task is None or task.done() or task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="agentstream-stream-watcher")

    def discard(self, tail: Watched) -> None:
        self._tails.discard(tail)

    async def _run(self) -> None:
        while self._tails:
            interval = conf.IDLE_POLL_SECONDS
            await asyncio.sleep(interval)
            try:
                await self._poll_idle(interval)
                await self._rejoin_groups()
            except Exception:  # the next round tries again; the streams keep their cursors
                logger.exception("the stream watcher's round failed")

    async def _poll_idle(self, interval: float) -> None:
        now = time.monotonic()
        idle = [t for t in self._tails if t.ended is None and now - t.last_heard >= interval]
        if not idle:
            return
        states = await run_read(read_states, {t.session_id for t in idle})
        for tail in idle:
            state = states.get(tail.session_id)
            if state is not None:
                tail.observe(state)

    async def _rejoin_groups(self) -> None:
        refresh = conf.GROUP_REFRESH_SECONDS
        now = time.monotonic()
        due = {
            id(t.membership): t.membership
            for t in self._tails
            if t.membership is not None and now - t.membership.joined_at >= refresh
        }
        if not due:
            return
        layer = get_channel_layer()
        assert layer is not None  # the memberships were joined on it
        for membership in due.values():
            await layer.group_add(membership.group, membership.channel)
            membership.joined_at = now


watcher = Watcher()


def follow(tail: Watched) -> None:
    """Start watching a live stream (called by `SessionTail.follow`)."""
    watcher.add(tail)


def unfollow(tail: Watched) -> None:
    watcher.discard(tail)
