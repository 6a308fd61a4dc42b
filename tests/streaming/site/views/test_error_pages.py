"""streaming/site/views/errors.py and templates/40x.html: errors on pages are pages in the site's
style, with DEBUG on or off (a bad share link above all); under /api/ they stay JSON."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_a_bad_share_link_is_the_sites_404_page(client, session, debug):
    for name in ("session-page", "session-replay", "session-report"):
        response = client.get(reverse(name, args=[session.id]), {"token": "not-it"})
        assert response.status_code == 404
        body = response.content.decode()
        assert "This link has expired" in body
        assert 'class="card error-card"' in body
        assert "URLconf" not in body  # not Django's technical page
        assert "404.html" in [t.name for t in response.templates]


def test_an_unknown_session_is_the_sites_404_page(client, user, debug):
    client.force_login(user)
    response = client.get(reverse("session-page", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert "Session not found" in response.content.decode()
    assert "Your sessions" in response.content.decode()  # a way on, for who is logged in


def test_unknown_pages_use_the_sites_404_template_without_debug(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Log in" in response.content.decode()


def test_a_403_is_the_sites_page(client, db, debug):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    response = client.get("/admin/streaming/event/add/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert 'class="card error-card"' in response.content.decode()


def test_a_page_forms_csrf_failure_is_a_403_page_that_says_what_to_do(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/", {"query": "x", "workspace": "sample"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form has expired" in body
    assert "reload it and try again" in body


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/sessions/x/nothing/", "/events?x=1"])
def test_api_errors_stay_json(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response["Content-Type"].startswith("application/json")
    assert "error" in response.json()


def test_the_favicon_is_found_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/streaming/favicon.svg"
