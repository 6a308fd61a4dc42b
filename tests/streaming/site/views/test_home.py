"""streaming/site/views/home.py: the session list's search, status filter and pages, and the
showcase it suggests."""

from __future__ import annotations

import re

import pytest

from streaming.log.models import Session
from streaming.site.showcase import NOTE
from tests.conftest import make_session, make_workspace

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return re.findall(r'<td class="query-cell"><a [^>]*>([^<]*)</a>', response.content.decode())


@pytest.fixture
def sixty(user):
    for i in range(60):
        make_session(user, query=f"{'needle' if i % 3 == 0 else 'hay'} {i}")
    Session.objects.filter(owner=user, query="needle 3").update(status="failed")
    return user


def test_the_list_pages_by_fifty(client, sixty):
    client.force_login(sixty)
    first = client.get("/")
    assert len(listed(first)) == 50
    assert listed(first)[0] == "hay 59"  # the newest first
    assert "Page 1 of 2 · 60 sessions" in first.content.decode()
    second = client.get("/", {"page": 2})
    assert len(listed(second)) == 10
    assert listed(second)[-1] == "needle 0"


def test_search_and_status_filter_and_the_pages_keep_them(client, sixty):
    client.force_login(sixty)
    found = client.get("/", {"q": "NEEDLE"})  # case-insensitive
    assert len(listed(found)) == 20
    assert all(query.startswith("needle") for query in listed(found))
    failed = client.get("/", {"q": "needle", "status": "failed"})
    assert listed(failed) == ["needle 3"]
    for i in range(60, 150):
        make_session(sixty, query=f"needle {i}")
    many = client.get("/", {"q": "needle"}).content.decode()
    assert 'href="?q=needle&amp;page=2"' in many


def test_a_filter_that_matches_nothing_says_so_and_bad_values_are_ignored(client, sixty):
    client.force_login(sixty)
    body = client.get("/", {"q": "no such words"}).content.decode()
    assert 'id="no-sessions-match"' in body
    assert len(listed(client.get("/", {"status": "sideways"}))) == 50  # an unknown status: ignored


def test_a_showcase_workspace_is_suggested(client, user, settings, tmp_path):
    settings.AGENTSTREAM_WORKSPACE_ROOT = str(tmp_path)
    make_workspace(tmp_path, "sample", {"a.py": "x = 1\n"})
    client.force_login(user)
    assert "Watch a real survey" not in client.get("/").content.decode()
    assert "python manage.py demo" in client.get("/").content.decode()
    make_workspace(
        tmp_path,
        "big",
        {
            "pkg/a.py": "x = 1\n",
            NOTE: '{"title": "Big 1.0", "source": "big 1.0", "modules": 900, "query": "Look"}',
        },
    )
    body = client.get("/").content.decode()
    assert "Watch a real survey: Big 1.0" in body
    assert '<input type="hidden" name="workspace" value="big">' in body
    assert '<input type="hidden" name="query" value="Look">' in body
