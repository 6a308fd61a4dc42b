"""The admin's export action: the selected sessions' events as JSON lines, for staff only."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from streaming.log.models import Event
from tests.conftest import make_session, make_user
from tests.streaming.site.admin.conftest import SESSIONS
from tests.streaming.site.conftest import store_timeline


@pytest.mark.django_db(transaction=True)
async def test_export_action_streams_selected_sessions_events_as_jsonl(async_client, user):
    staff = await sync_to_async(make_user)("auditor", staff=True)
    first, second, other = [await sync_to_async(make_session)(user) for _ in range(3)]
    for session in (first, second, other):
        await sync_to_async(store_timeline)(session)
    await async_client.aforce_login(staff)
    response = await async_client.post(
        SESSIONS,
        {"action": "export_events_jsonl", "_selected_action": [str(first.pk), str(second.pk)]},
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].startswith('attachment; filename="agentstream-events-')
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    lines = [json.loads(line) for line in body.splitlines()]
    expected = [
        e.to_dict()
        async for e in Event.objects.filter(session__in=[first, second]).order_by(
            "session__created_at", "seq"
        )
    ]
    assert lines == expected
    assert {line["sid"] for line in lines} == {str(first.pk), str(second.pk)}


@pytest.mark.django_db
def test_export_action_refuses_non_staff(client, finished_session):
    client.force_login(finished_session.owner)
    response = client.post(
        SESSIONS, {"action": "export_events_jsonl", "_selected_action": [finished_session.pk]}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
