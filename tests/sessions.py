"""Helpers shared by the agents' and the runner's tests: waiting on sessions, reading events."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async

from streaming.log.models import Event, Session

ENDED = {"completed", "failed", "cancelled"}


def stored_events(session_id: uuid.UUID) -> list[dict[str, Any]]:
    """Return the stored events of a session as docs/protocol.md event objects, in seq order."""
    return [row.to_dict() for row in Event.objects.for_session(session_id)]


astored_events = sync_to_async(stored_events)


async def wait_for_status(
    session_id: uuid.UUID, statuses: set[str] | str = ENDED, within: float = 30.0
) -> Session:
    """Poll until the session's status is one of `statuses`; fail after `within` seconds."""
    wanted = {statuses} if isinstance(statuses, str) else statuses
    deadline = time.monotonic() + within
    while True:
        session = await Session.objects.aget(id=session_id)
        if session.status in wanted:
            return session
        if time.monotonic() > deadline:
            raise AssertionError(f"session {session_id} is {session.status}, not {wanted}")
        await asyncio.sleep(0.02)


async def wait_for_event(
    session_id: uuid.UUID, predicate: Any, within: float = 30.0
) -> dict[str, Any]:
    """Poll the stored events until one matches `predicate`; return it."""
    deadline = time.monotonic() + within
    while True:
        for event in await astored_events(session_id):
            if predicate(event):
                return event
        if time.monotonic() > deadline:
            raise AssertionError(f"no matching event in session {session_id}")
        await asyncio.sleep(0.02)


def assert_well_formed(events: list[dict[str, Any]], terminal: str) -> None:
    """Assert gapless seqs, `started` first and exactly one terminal event, last."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert (events[0]["t"], events[0]["phase"]) == ("session_event", "started")
    terminals = [e for e in events if e["t"] == "session_event" and e["phase"] in ENDED]
    assert len(terminals) == 1
    assert events[-1] == terminals[0]
    assert events[-1]["phase"] == terminal


def make_workspace(root: Path, name: str, files: dict[str, str | bytes]) -> Path:
    """Create workspace `name` under `root` with `files` (relative path → content)."""
    folder = root / name
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
