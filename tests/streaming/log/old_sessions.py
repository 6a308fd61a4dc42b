"""Sessions for the retention tests: ended some days ago with a few stored events, or still open."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from streaming.log.events import Event
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.log.store import record_events
from tests.conftest import make_session


def ended_session(
    owner: Any, *, events: int = 5, days_ago: float = 40, status: str = "completed"
) -> Session:
    """Return a session of `owner` that ended `days_ago` days ago, with `events` agent events
    between its `started` and its terminal event (so `events + 2` in all), all stored."""
    session = make_session(owner)
    stored = [Event.for_session("started", "go")]
    stored += [
        Event.for_agent(
            "supervisor", "progress", f"step {n}", pct=n / max(events, 1), data={"n": n}
        )
        for n in range(events)
    ]
    stored.append(Event.for_session(status, "over"))
    record_events(session_id=session.id, events=stored)
    Session.objects.filter(pk=session.pk).update(ended_at=timezone.now() - timedelta(days=days_ago))
    session.refresh_from_db()
    return session


def stored_seqs(session_id: uuid.UUID) -> list[int]:
    return list(Row.objects.for_session(session_id).values_list("seq", flat=True))


def stored_objects(session_id: uuid.UUID) -> list[dict[str, Any]]:
    """The stored events of a session as docs/protocol.md event objects, in seq order."""
    return [row.to_dict() for row in Row.objects.for_session(session_id)]
