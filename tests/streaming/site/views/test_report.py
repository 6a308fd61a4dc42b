"""streaming/site/views/report.py: the report's Markdown, to copy or download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.streaming.site.conftest import REPORT_MD, store_timeline

pytestmark = pytest.mark.django_db


def markdown_url(session) -> str:
    return reverse("session-report-markdown", args=[session.id])


def test_the_report_markdown_downloads_as_it_was_written(client, finished_session):
    client.force_login(finished_session.owner)
    response = client.get(markdown_url(finished_session))
    assert response.status_code == 200
    assert response.content.decode() == REPORT_MD
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    seq = finished_session.last_seq - 1
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-{finished_session.id}-{seq}.md"'
    )
    assert response["Cache-Control"] == "private, no-store"


def test_the_markdown_follows_page_access_and_seq(client, session, other_user):
    url = markdown_url(session)
    assert client.get(url).status_code == 302  # anonymous: log in
    store_timeline(session, report="# Markup <b>stays</b> text\n")
    assert client.get(url, {"token": session.share_token}).content == (
        b"# Markup <b>stays</b> text\n"
    )
    assert client.get(url, {"token": session.share_token, "seq": "1"}).status_code == 404
    assert client.get(url, {"token": session.share_token, "seq": "x"}).status_code == 400
    client.force_login(other_user)
    assert client.get(url).status_code == 404


def test_no_report_yet_is_404(client, session):
    client.force_login(session.owner)
    response = client.get(markdown_url(session))
    assert response.status_code == 404
    assert "No report" in response.content.decode()
