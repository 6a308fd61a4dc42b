"""Fixtures and helpers of the site's tests: sessions with stored events, reports in tmp, and
clients of the JSON API (`_fresh_runner` is in tests/conftest.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import AsyncClient

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


async def client_for(user=None) -> AsyncClient:
    """An API client that enforces CSRF checks, logged in as `user` if given."""
    client = AsyncClient(enforce_csrf_checks=True)
    if user is not None:
        await client.aforce_login(user)
    return client


async def csrf_headers(client: AsyncClient) -> dict[str, str]:
    """Give `client` a CSRF cookie and return the header that must echo it."""
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return {"X-CSRFToken": _mask_cipher_secret(secret)}


async def post_json(client: AsyncClient, path: str, body, **headers):
    """POST `body` (JSON-encoded unless bytes or str) with a valid CSRF token."""
    return await client.post(
        path,
        data=body if isinstance(body, bytes | str) else json.dumps(body),
        content_type="application/json",
        headers={**(await csrf_headers(client)), **headers},
    )


def error_code(response) -> str:
    """Return the `error.code` of a JSON error response (fail if it is not one)."""
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]["code"]
