"""How long a session ran, for a person: one wording for the pages and the admin."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from streaming.log.models import Session

#: Shown for a session that has not started (and has not ended).
NOT_STARTED = "—"


def format_duration(session: Session, *, now: datetime | None = None) -> str:
    """Return how long `session` ran, or has run so far (until `now`), as "4.2 s" or "3 min 5 s".

    A session cancelled before it started counts from its creation; one still waiting shows "—".
    """
    start = session.started_at
    if start is None:
        if session.ended_at is None:
            return NOT_STARTED
        start = session.created_at
    end = session.ended_at or now or timezone.now()
    seconds = max(0.0, (end - start).total_seconds())
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
