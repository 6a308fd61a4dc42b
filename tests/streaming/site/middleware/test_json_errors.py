"""JSON errors under /api/, /events and /healthz: unknown paths, methods, CSRF, big bodies."""

from __future__ import annotations

import pytest
from django.test import AsyncClient, Client

from tests.streaming.site.conftest import csrf_headers, error_code

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api",
        "/api/nope",
        "/api/nope/",
        "/api/sessions/x/y/z/",
        "/api/sessions/00000000-0000-0000-0000-000000000000/nope/",
        "/events/",
        "/events/x",
        "/healthz/",
        "/healthzz",
    ],
)
async def test_unknown_paths_are_json_404(path):
    response = await AsyncClient().get(path)
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert set(response.json()["error"]) == {"code", "detail"}


async def test_paths_outside_the_api_keep_django_pages():
    response = await AsyncClient().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/sessions/", "GET, POST"),
        ("delete", "/api/sessions/00000000-0000-0000-0000-000000000000/", "GET"),
        ("post", "/healthz", "GET, HEAD"),
        ("post", "/events", "GET"),
        ("get", "/api/sessions/00000000-0000-0000-0000-000000000000/cancel/", "POST"),
    ],
)
async def test_wrong_methods_are_json_405_after_the_csrf_check(method, path, allowed, user):
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(user)
    if method != "get":
        refused = await getattr(client, method)(path)
        assert refused.status_code == 403
        assert error_code(refused) == "csrf"  # CSRF is checked before the method
    response = await getattr(client, method)(path, headers=await csrf_headers(client))
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"
    assert response["Allow"] == allowed


async def test_csrf_failure_on_cancel_is_json_403(user):
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(user)
    response = await client.post("/api/sessions/00000000-0000-0000-0000-000000000000/cancel/")
    assert response.status_code == 403
    assert error_code(response) == "csrf"
    assert "CSRF" in response.json()["error"]["detail"]


async def test_a_body_over_1_mib_is_413_on_any_api_path(user):
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(user)
    for path in ("/api/sessions/", "/api/nope/", "/healthz"):
        response = await client.post(
            path,
            data=b"x" * (1024 * 1024 + 1),
            content_type="application/octet-stream",
            headers=await csrf_headers(client),
        )
        assert response.status_code == 413
        assert error_code(response) == "too_large"


async def test_an_unsafe_request_without_the_trailing_slash_is_redirected_keeping_its_method():
    response = await AsyncClient().post("/api/sessions", data={})
    assert response.status_code == 308
    assert response["Location"] == "/api/sessions/"
    response = await AsyncClient().get("/api/sessions?limit=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/sessions/?limit=2"


def test_the_sync_middleware_path_answers_json_too():
    response = Client().get("/api/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
