"""Static files come from the ASGI app itself, through a middleware chain async end to end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.handlers.asgi import ASGIHandler
from django.utils.module_loading import import_string

from streaming import testing


async def asgi_get(path: str) -> list[dict]:
    """GET `path` through Django's ASGI handler (as daphne calls it); return the sent messages."""
    scope = testing.http_scope(path)
    requested = False

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Future()  # no disconnect: the handler cancels this when it is done
        raise AssertionError("unreachable")

    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    await ASGIHandler()(scope, receive, send)
    return messages


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
    assert response.is_async  # chunks are read off the event loop
    body = b"".join([chunk async for chunk in response.streaming_content])
    response.close()
    assert b"export class EventLog" in body


@pytest.mark.parametrize("debug", [True, False])
async def test_static_files_stream_in_chunks_through_the_asgi_handler(settings, debug):
    # A sync iterator would make Django warn (an error here) and read the whole file into a list.
    settings.DEBUG = debug
    path = "admin/js/vendor/jquery/jquery.js"  # large: many of FileResponse's 8 KiB blocks
    on_disk = await asyncio.to_thread(Path(finders.find(path)).read_bytes)
    messages = await asgi_get(f"/static/{path}")
    assert messages[0]["type"] == "http.response.start"
    assert messages[0]["status"] == 200
    bodies = [m for m in messages if m["type"] == "http.response.body"]
    assert b"".join(m.get("body", b"") for m in bodies) == on_disk
    assert len([m for m in bodies if m.get("body")]) > 1


@pytest.mark.django_db  # the request signals check the thread's connection left by earlier tests
def test_the_sync_path_serves_too(client):
    response = client.get("/static/streaming/app.css")
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
