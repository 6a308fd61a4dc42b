"""/healthz: the database and the channel layer answer, or 503 saying which did not."""

from __future__ import annotations

import asyncio
import logging

import pytest
from django.test import AsyncClient

from streaming.site.views import health
from streaming.testing import eventually

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


async def test_healthz_is_ok_when_database_and_layer_answer():
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


async def test_healthz_is_503_when_the_channel_layer_is_down(settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    with caplog.at_level(logging.INFO):
        response = await AsyncClient().get("/healthz")
    assert response.status_code == 503
    # The outage's one WARNING says it; Django would log each 503 at ERROR.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["channel_layer"] == "unavailable"
    assert body["error"]["code"] == "unavailable"


async def test_probes_at_once_share_one_question_to_the_channel_layer(monkeypatch):
    monkeypatch.setattr(health, "PROBE_TIMEOUT", 10.0)
    gate, probes, asked = asyncio.Event(), [], []
    probe_layer, ask_layer = health._probe_layer, health._ask_layer

    async def probe() -> None:
        probes.append(1)
        await probe_layer()

    async def ask() -> None:
        asked.append(1)
        await gate.wait()  # in flight until every request has come
        await ask_layer()

    monkeypatch.setattr(health, "_probe_layer", probe)
    monkeypatch.setattr(health, "_ask_layer", ask)
    requests = [asyncio.create_task(AsyncClient().get("/healthz")) for _ in range(10)]
    await eventually(lambda: len(probes) == 10, what="ten probes waiting")
    gate.set()
    responses = await asyncio.gather(*requests)
    assert [r.status_code for r in responses] == [200] * 10
    assert len(asked) == 1
    await AsyncClient().get("/healthz")  # the next one asks again
    assert len(asked) == 2
