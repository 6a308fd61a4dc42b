"""Waiting on sessions and reading their stored events (the runs' and the agents' tests)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from streaming.log.models import Event, Session
from streaming.testing import eventually

ENDED = {"completed", "failed", "cancelled"}


def stored_events(session_id: uuid.UUID) -> list[dict[str, Any]]:
    """Return the stored events of a session as docs/protocol.md event objects, in seq order."""
    return [row.to_dict() for row in Event.objects.for_session(session_id)]


astored_events = sync_to_async(stored_events)


async def wait_for_status(
    session_id: uuid.UUID, statuses: set[str] | str = ENDED, within: float = 30.0
) -> Session:
    """Return the session once its status is one of `statuses`; fail after `within` seconds."""
    wanted = {statuses} if isinstance(statuses, str) else statuses

    async def in_status() -> Session:
        session = await Session.objects.aget(id=session_id)
        assert session.status in wanted, f"the session is {session.status}"
        return session

    return await eventually(
        in_status, within=within, what=f"session {session_id} to be {' or '.join(sorted(wanted))}"
    )


async def wait_for_event(
    session_id: uuid.UUID, predicate: Callable[[dict[str, Any]], bool], within: float = 30.0
) -> dict[str, Any]:
    """Return the first stored event of the session that matches `predicate`."""

    async def matching() -> dict[str, Any] | None:
        return next((e for e in await astored_events(session_id) if predicate(e)), None)

    return await eventually(
        matching, within=within, what=f"a matching event in session {session_id}"
    )


def assert_well_formed(events: list[dict[str, Any]], terminal: str) -> None:
    """Assert gapless seqs, `started` first and exactly one terminal event, last."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert (events[0]["t"], events[0]["phase"]) == ("session_event", "started")
    terminals = [e for e in events if e["t"] == "session_event" and e["phase"] in ENDED]
    assert len(terminals) == 1
    assert events[-1] == terminals[0]
    assert events[-1]["phase"] == terminal
