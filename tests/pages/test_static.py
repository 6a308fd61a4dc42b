"""Static files come from the ASGI app itself, through a middleware chain async end to end."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils.module_loading import import_string


def test_every_middleware_is_async_capable():
    # One sync-only middleware would run every async view through async_to_sync in a thread.
    sync_only = [
        path
        for path in settings.MIDDLEWARE
        if not getattr(import_string(path), "async_capable", False)
    ]
    assert sync_only == []


@pytest.mark.parametrize("debug", [True, False])
async def test_static_files_are_served_without_collectstatic(async_client, settings, debug):
    settings.DEBUG = debug
    response = await async_client.get("/static/streaming/timeline.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content)
    response.close()
    assert b"export class EventLog" in body


def test_the_sync_path_serves_too(client):
    response = client.get("/static/streaming/app.css")
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
