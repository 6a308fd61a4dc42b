"""Sessions prepared for the page tests, stored straight into the test database (the server
shares it): finished ones with a report, running ones, and ones timed to the millisecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asgiref.sync import sync_to_async

from streaming import Event
from streaming.log.models import Session
from streaming.log.store import record_events
from tests.conftest import make_session
from tests.streaming.site.conftest import store_timeline

#: A query of one long word: it must wrap, not push the page wider.
LONG_WORD = "Look-at-" + "the-very-long-path-" * 12 + "end"
#: A report with a table wider than a phone.
WIDE_REPORT = (
    "# Report\n\n| module | fan-in | fan-out | lines | largest function | notes |\n"
    "|:--|--:|--:|--:|:--|:--|\n"
    + "".join(
        f"| `pkg.module_number_{i}.submodule` | {i} | {2 * i} | {100 * i} | "
        f"`handle_everything_{i}` | imported everywhere, rarely changed |\n"
        for i in range(8)
    )
)


@sync_to_async
def finished(
    owner, *, query: str = "Map the sample workspace", report: str = WIDE_REPORT, end="completed"
):
    """A session with the site tests' timeline (ten events, a report) that ended `end`."""
    session = make_session(owner, query=query)
    store_timeline(session, report=report, end=end)
    return session


@sync_to_async
def running(owner, *, query: str = "Watch me run"):
    """A session marked running, with no events yet (the test emits them)."""
    session = make_session(owner, query=query)
    Session.objects.filter(pk=session.pk).update(status="running", started_at=datetime.now(UTC))
    session.refresh_from_db()
    return session


@sync_to_async
def timed(owner, events: list[tuple[float, Event]], *, query: str = "Timed to the millisecond"):
    """A session whose events happened at the given offsets (seconds from its start)."""
    session = make_session(owner, query=query)
    start = datetime.now(UTC) - timedelta(hours=1)
    stamped = [
        Event(
            t=e.t,
            phase=e.phase,
            msg=e.msg,
            agent=e.agent,
            pct=e.pct,
            data=e.data,
            ts=start + timedelta(seconds=offset),
        )
        for offset, e in events
    ]
    record_events(session_id=session.id, events=stamped)
    session.refresh_from_db()
    return session
