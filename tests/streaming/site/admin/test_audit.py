"""The admin for auditors: times to the millisecond in UTC, progress as a percentage, status
badges, one session's events in seq order under a filter that names its query, and links between
the admin and the pages."""

from __future__ import annotations

import re

import pytest

from streaming.log.models import Event
from tests.conftest import make_session
from tests.streaming.site.admin.conftest import EVENTS, SESSIONS, changelist_queries, listed_seqs
from tests.streaming.site.conftest import store_timeline

pytestmark = pytest.mark.django_db
MS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}"


def test_session_list_reads_to_the_millisecond_with_status_badges(staff_client, finished_session):
    body = staff_client.get(SESSIONS).content.decode()
    assert re.search(rf'<td class="field-created_utc">{MS}</td>', body)
    assert '<span class="as-status" data-status="completed">Completed</span>' in body
    for link in (
        f'href="/sessions/{finished_session.pk}/"',
        f'href="/sessions/{finished_session.pk}/replay/"',
        f'href="/api/sessions/{finished_session.pk}/export.jsonl"',
        f'href="/admin/streaming/event/?session={finished_session.pk}"',
    ):
        assert link in body, link
    assert 'id="nav-sidebar"' not in body  # the list gets the whole width


def test_session_page_shows_times_share_link_and_links_to_the_replay(
    staff_client, finished_session
):
    body = staff_client.get(f"{SESSIONS}{finished_session.pk}/change/").content.decode()
    for label in ("Created (UTC):", "Ended (UTC):"):  # (this one was never started by a runner)
        assert re.search(rf"{re.escape(label)}</label>\s*<div class=\"readonly\">{MS} UTC", body)
    share = f"/sessions/{finished_session.pk}/?token={finished_session.share_token}"
    assert f'<a href="{share}" data-share-link>{share}</a>' in body
    assert f'data-copy-link="{share}"' in body
    assert f'href="/sessions/{finished_session.pk}/replay/#seq=1"' in body
    assert '<link rel="icon" href="/static/streaming/favicon.svg"' in body


def test_event_page_labels_times_and_percentages(staff_client, finished_session):
    event = Event.objects.get(session=finished_session, seq=4)  # research, 50 %
    body = staff_client.get(f"{EVENTS}{event.pk}/change/").content.decode()
    for label in ("Time (UTC):", "Type:", "Message:", "Progress:", "Data:"):
        assert f">{label}</label>" in body, label
    for terse in (">T:<", ">Ts:<", ">Msg:<", ">Pct:<"):
        assert terse not in body
    assert re.search(rf'<div class="readonly">{MS} UTC</div>', body)
    assert '<div class="readonly">50 %</div>' in body
    assert f'href="/sessions/{finished_session.pk}/replay/#seq=4">Replay at #4</a>' in body


def test_one_sessions_events_are_in_seq_order_and_the_filter_names_it(staff_client, user):
    first = make_session(user, query="The first session")
    second = make_session(user, query="The second session, with a long query " + "x" * 100)
    store_timeline(first)
    store_timeline(second)
    response = staff_client.get(f"{EVENTS}?session={second.pk}")
    assert listed_seqs(response) == list(range(1, second.last_seq + 1))
    body = response.content.decode()
    assert "The second session, with a long query" in body
    assert f"{str(second.pk)[:8]}…" not in body
    assert re.search(r'<td class="field-progress">100 %</td>', body)
    assert staff_client.get(f"{EVENTS}?session=nope").status_code == 302  # still refused


def test_naming_the_session_costs_one_query_by_primary_key(staff_client, finished_session):
    every = changelist_queries(staff_client, EVENTS)
    one = changelist_queries(staff_client, f"{EVENTS}?session={finished_session.pk}")
    assert len(one) == len(every) + 1
    (label,) = [sql for sql in one if sql.startswith('SELECT "streaming_session"."query"')]
    assert '"streaming_session"."id" =' in label
