"""``GET /healthz``: 200 when the database and the channel layer answer, else 503, within 1 s.

Each probe is bounded (`PROBE_TIMEOUT`), so a load balancer gets an answer even while a
dependency hangs. The database is asked on a thread of its own, one question at a time: requests
that arrive while one is being answered share its answer, and while one hangs past the timeout (a
pool waiting for a server that is gone) they answer "unavailable" at once instead of piling up
threads. The channel layer is asked the same way, one question at a time per process: one
message to a fresh channel, which is then released, so a probe every few seconds leaves no
subscription behind, and ten load balancers probing at once do not make ten. A 503 is the
outage's to log (one WARNING, `streaming.log.outages`), not one ERROR per probe.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future, ThreadPoolExecutor

from channels.layers import get_channel_layer
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed, JsonResponse

from streaming.log import outages
from streaming.log.follow import release

PROBE_TIMEOUT = 0.8
#: How long a question to the channel layer may take before it is given up (its requests were
#: answered "unavailable" long before).
LAYER_GIVES_UP = 10.0
PROBE = "healthz.probe"

_database_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentstream-healthz")
_asked: tuple[float, Future[None]] | None = None  # the question in flight, and when it was asked
_layer_asked: tuple[float, asyncio.Task[None]] | None = None  # the same, for the channel layer


def _ping_database() -> None:
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _probe_database() -> None:
    global _asked
    now = time.monotonic()
    if _asked is None or _asked[1].done():
        _asked = (now, _database_thread.submit(_ping_database))
    elif now - _asked[0] > PROBE_TIMEOUT:
        raise TimeoutError("the database has not answered the last probe")
    await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(_asked[1])), PROBE_TIMEOUT)


async def _probe_layer() -> None:
    """Ask the channel layer, or share the answer of the question in flight (this loop's)."""
    global _layer_asked
    now, loop = time.monotonic(), asyncio.get_running_loop()
    if _layer_asked is None or _layer_asked[1].done() or _layer_asked[1].get_loop() is not loop:
        _layer_asked = (now, loop.create_task(_ask_layer(), name="agentstream-healthz-layer"))
    elif now - _layer_asked[0] > PROBE_TIMEOUT:
        raise TimeoutError("the channel layer has not answered the last probe")
    await asyncio.wait_for(asyncio.shield(_layer_asked[1]), PROBE_TIMEOUT)


async def _ask_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")
    async with asyncio.timeout(LAYER_GIVES_UP):  # a hung layer: the channel is released anyway
        channel = await layer.new_channel()
        try:
            await layer.send(channel, {"type": PROBE})
            message = await layer.receive(channel)
        finally:
            await release(layer, channel)
    if message.get("type") != PROBE:
        raise RuntimeError("the channel layer answered with another message")


async def _check(outage: outages.Outage, probe: asyncio.Future[None]) -> str:
    try:
        await asyncio.wait_for(probe, PROBE_TIMEOUT)
    except Exception as exc:
        outage.failed(exc)
        return "unavailable"
    outage.recovered()
    return "ok"


async def healthz(request: HttpRequest) -> HttpResponseBase:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    database, layer = await asyncio.gather(
        _check(outages.database, asyncio.ensure_future(_probe_database())),
        _check(outages.channel_layer, asyncio.ensure_future(_probe_layer())),
    )
    body: dict[str, object] = {"status": "ok", "database": database, "channel_layer": layer}
    if database == "ok" and layer == "ok":
        return JsonResponse(body)
    body["status"] = "unavailable"
    body["error"] = {"code": "unavailable", "detail": "the database or channel layer is down"}
    response = JsonResponse(body, status=503)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own 5xx ERROR
    return response
