"""Log in and out: the pages docs/protocol.md names."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_get_logout_asks_and_post_logs_out(client, user):
    client.force_login(user)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert b'action="/accounts/logout/"' in page.content
    assert b"alice" in page.content
    assert client.get("/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # logged out: the home page redirects to login


def test_logging_in_leads_to_the_home_page(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302
    assert response["Location"] == "/"
