"""streaming/site/middleware/security.py: every page has a CSP without inline scripts and a
Referrer-Policy."""

from __future__ import annotations

import pytest

from streaming.site.middleware.security import policy_for


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/admin/login/", "/healthz"])
def test_responses_carry_a_csp_without_inline_scripts(client, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"


def test_connect_src_names_the_websocket_origin(rf):
    plain = directives(policy_for(rf.get("/", HTTP_HOST="localhost:8000")))
    assert plain["connect-src"] == "'self' ws://localhost:8000"
    secure = directives(policy_for(rf.get("/", HTTP_HOST="localhost", secure=True)))
    assert secure["connect-src"] == "'self' wss://localhost"


def test_a_bad_host_still_gets_a_policy(rf):
    policy = directives(policy_for(rf.get("/", HTTP_HOST="evil.example")))
    assert policy["connect-src"] == "'self'"


@pytest.mark.django_db
async def test_async_views_get_the_header_too(async_client):
    response = await async_client.get("/api/sessions/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_sync_views_get_the_header_in_a_sync_chain(client):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
