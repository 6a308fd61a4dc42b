"""Fixtures of the page tests: sessions with stored events, reports in tmp (`_fresh_runner` is
in tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streaming.log.events import Event as EventValue
from streaming.log.store import record_events

REPORT_MD = "# Report\n\n| module | fan-in |\n|:--|--:|\n| `pkg.core` | 3 |\n"


def timeline(*, report: str = REPORT_MD, end: str | None = "completed") -> list[EventValue]:
    """A small, realistic session timeline (values, not yet stored), 100 ms apart."""
    events = [
        EventValue.for_session("started", "Session started"),
        EventValue.decision(next="research", reasoning="Nothing is known yet", confidence=0.9),
        EventValue.for_agent("research", "think", "Listing the workspace"),
        EventValue.for_agent("research", "progress", "Read pkg/core.py", pct=0.5),
        EventValue.for_agent("research", "progress", "Read pkg/util.py", pct=1.0),
        EventValue.for_agent("research", "result", "2 files", data={"files": 2}),
        EventValue.decision(next="codesmith", reasoning="Inventory done", confidence=0.75),
        EventValue.for_agent("architect", "error", "Could not parse bad.py", data={"line": 3}),
        EventValue.for_agent("codesmith", "result", "Report written", data={"report": report}),
    ]
    if end:
        events.append(EventValue.for_session(end, f"Session {end}"))
    start = datetime.now(UTC) - timedelta(seconds=5)
    return [
        EventValue(
            t=e.t,
            phase=e.phase,
            msg=e.msg,
            agent=e.agent,
            pct=e.pct,
            data=e.data,
            ts=start + timedelta(milliseconds=100 * i),
        )
        for i, e in enumerate(events)
    ]


def store_timeline(session, **kwargs) -> list[EventValue]:
    """Store `timeline(**kwargs)` in `session` and refresh it; return the stored events."""
    stored = record_events(session_id=session.id, events=timeline(**kwargs))
    session.refresh_from_db()
    return stored


@pytest.fixture
def finished_session(session):
    """The `session` fixture with a complete, stored timeline (status completed)."""
    store_timeline(session)
    return session


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    settings.AGENTSTREAM_REPORT_DIR = str(tmp_path / "reports")


@pytest.fixture(autouse=True)
def _fast_passwords(request, settings):
    """Cheap password hashing, except where a real server process checks the passwords."""
    if request.node.get_closest_marker("browser") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
