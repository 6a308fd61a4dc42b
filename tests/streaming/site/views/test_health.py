"""/healthz: the database and the channel layer answer, or 503 saying which did not."""

from __future__ import annotations

import pytest
from django.test import AsyncClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


async def test_healthz_is_ok_when_database_and_layer_answer():
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


async def test_healthz_is_503_when_the_channel_layer_is_down(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["channel_layer"] == "unavailable"
    assert body["error"]["code"] == "unavailable"
