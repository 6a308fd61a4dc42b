"""The JSONL export of a session's events: /api/sessions/<id>/export.jsonl."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import make_session
from tests.streaming.conftest import emit_events
from tests.streaming.site.conftest import client_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


async def test_export_streams_every_event_as_json_lines(user):
    session = await sync_to_async(make_session)(user)
    await emit_events(session.id, 2_500)
    client = await client_for()
    response = await client.get(
        f"/api/sessions/{session.id}/export.jsonl?token={session.share_token}"
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    assert "attachment" in response["Content-Disposition"]
    chunks = [chunk async for chunk in response.streaming_content]
    assert len(chunks) >= 3  # page by page, not one buffer
    lines = b"".join(chunks).decode().splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, 2_503))
    assert events[-1]["phase"] == "completed"
