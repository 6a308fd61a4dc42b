"""``GET /healthz``: 200 when the database and the channel layer answer, else 503."""

from __future__ import annotations

import asyncio
import logging

from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from streaming.log.follow import run_read

logger = logging.getLogger(__name__)

TIMEOUT = 3.0
PROBE = "healthz.probe"


def _ping_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _ping_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": PROBE})
    message = await layer.receive(channel)
    if message.get("type") != PROBE:
        raise RuntimeError("the channel layer answered with another message")


async def _check(name: str, probe: asyncio.Future[None] | asyncio.Task[None]) -> str:
    try:
        await asyncio.wait_for(probe, TIMEOUT)
    except Exception as exc:
        logger.warning("healthz: the %s does not answer: %r", name, exc)
        return "unavailable"
    return "ok"


async def healthz(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    database, layer = await asyncio.gather(
        _check("database", asyncio.ensure_future(run_read(_ping_database))),
        _check("channel layer", asyncio.ensure_future(_ping_layer())),
    )
    body: dict[str, object] = {"status": "ok", "database": database, "channel_layer": layer}
    if database == "ok" and layer == "ok":
        return JsonResponse(body)
    body["status"] = "unavailable"
    body["error"] = {"code": "unavailable", "detail": "the database or channel layer is down"}
    return JsonResponse(body, status=503)
