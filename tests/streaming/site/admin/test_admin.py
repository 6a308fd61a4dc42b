"""streaming/admin: read-only, staff-only review of sessions and events that stays fast."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from streaming.log.models import Event
from streaming.site.admin.paging import CappedCountPaginator
from tests.conftest import make_session, make_user
from tests.pages.conftest import store_timeline

EVENTS = "/admin/streaming/event/"
SESSIONS = "/admin/streaming/session/"


def listed_seqs(response) -> list[int]:
    body = response.content.decode()
    return [int(s) for s in re.findall(r'<th class="field-seq"><a href="[^"]*">(\d+)</a>', body)]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def superuser_client(client, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    return client


# -- an audit log: nobody adds, changes or deletes ---------------------------------------------


@pytest.mark.django_db
def test_event_add_is_refused_even_for_superusers(superuser_client, finished_session):
    assert superuser_client.get(f"{EVENTS}add/").status_code == 403
    assert superuser_client.post(f"{EVENTS}add/", {"seq": 99}).status_code == 403
    assert superuser_client.get(f"{SESSIONS}add/").status_code == 403


@pytest.mark.django_db
def test_events_are_view_only(superuser_client, finished_session):
    event = Event.objects.for_session(finished_session.id).first()
    page = superuser_client.get(f"{EVENTS}{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(f"{EVENTS}{event.pk}/change/", {"msg": "x"}).status_code == 403
    assert superuser_client.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.msg == "Session started"
    assert superuser_client.post(
        SESSIONS, {"action": "delete_selected", "_selected_action": [finished_session.pk]}
    ).status_code in {200, 302}
    assert Event.objects.filter(session=finished_session).count() == finished_session.last_seq


@pytest.mark.django_db
def test_staff_may_review_without_model_permissions(staff_client, finished_session):
    assert staff_client.get("/admin/").status_code == 200
    response = staff_client.get(EVENTS)
    assert response.status_code == 200
    assert len(listed_seqs(response)) == finished_session.last_seq
    assert staff_client.get(SESSIONS).status_code == 200
    assert staff_client.get(f"{SESSIONS}{finished_session.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_non_staff_users_are_refused(client, finished_session):
    for path in (EVENTS, SESSIONS, f"{SESSIONS}{finished_session.pk}/change/"):
        assert client.get(path).status_code == 302  # anonymous: to the admin login
    client.force_login(finished_session.owner)
    for path in (EVENTS, SESSIONS):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# -- lists and filters --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "phases"),
    [
        ("phase=error", {"error"}),
        ("agent=research", {"think", "progress", "result"}),
        ("agent=-", {"started", "completed"}),
        ("t=supervisor_event", {"decision"}),
        ("q=parse", {"error"}),
    ],
)
def test_event_filters_and_search(staff_client, finished_session, query, phases):
    response = staff_client.get(f"{EVENTS}?{query}")
    assert response.status_code == 200
    seqs = listed_seqs(response)
    assert seqs
    found = set(
        Event.objects.filter(session=finished_session, seq__in=seqs).values_list("phase", flat=True)
    )
    assert found == phases


@pytest.mark.django_db
def test_event_date_range_filter(staff_client, finished_session):
    day = Event.objects.first().ts.date()
    inside = staff_client.get(f"{EVENTS}?ts__gte={day}&ts__lt={day}")  # the end day is inclusive
    assert len(listed_seqs(inside)) == finished_session.last_seq
    before = staff_client.get(f"{EVENTS}?ts__lt={day.replace(year=day.year - 1)}")
    assert listed_seqs(before) == []
    blank = staff_client.get(f"{EVENTS}?ts__gte=&ts__lt=")  # the form's empty inputs
    assert len(listed_seqs(blank)) == finished_session.last_seq
    bad = staff_client.get(f"{EVENTS}?ts__gte=yesterday")
    assert bad.status_code == 302
    assert bad["Location"].endswith("?e=1")
    assert 'type="date" name="ts__gte"' in inside.content.decode()


@pytest.mark.django_db
def test_event_list_of_one_session_in_seq_order(staff_client, user):
    first, second = make_session(user), make_session(user)
    store_timeline(first)
    store_timeline(second)
    response = staff_client.get(f"{EVENTS}?session={second.pk}")
    assert listed_seqs(response) == list(range(second.last_seq, 0, -1))
    assert staff_client.get(f"{EVENTS}?session=nope").status_code == 302


@pytest.mark.django_db
def test_session_list_shows_counts_links_and_filters(staff_client, user):
    done = make_session(user, query="finished one")
    store_timeline(done)
    make_session(user, query="waiting one")
    body = staff_client.get(SESSIONS).content.decode()
    assert f'<td class="field-event_count">{done.last_seq}</td>' in body
    assert f'href="/sessions/{done.pk}/replay/"' in body
    assert f'href="/api/sessions/{done.pk}/export.jsonl"' in body
    completed = staff_client.get(f"{SESSIONS}?status__exact=completed").content.decode()
    assert "finished one" in completed
    assert "waiting one" not in completed
    found = staff_client.get(f"{SESSIONS}?q=waiting").content.decode()
    assert "waiting one" in found
    assert "finished one" not in found


@pytest.mark.django_db
def test_session_page_shows_latest_events_escaped(staff_client, user):
    session = make_session(user)
    store_timeline(session, report="x")
    Event.objects.filter(session=session, phase="error").update(msg="<img src=x onerror=alert(1)>")
    body = staff_client.get(f"{SESSIONS}{session.pk}/change/").content.decode()
    assert 'class="latest-events"' in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img src=x" not in body
    assert f"All {session.last_seq} events" in body


# -- speed: bounded counts, no DISTINCT, no query per row ----------------------------------------


def changelist_queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [EVENTS, f"{EVENTS}?phase=progress&q=Read", SESSIONS])
def test_changelists_never_count_unbounded_or_select_distinct(staff_client, finished_session, path):
    sqls = changelist_queries(staff_client, path)
    assert not [sql for sql in sqls if "DISTINCT" in sql.upper()]
    counts = [sql for sql in sqls if "COUNT(" in sql.upper()]
    assert counts
    assert all("LIMIT 10001" in sql for sql in counts), counts


@pytest.mark.django_db
def test_event_list_queries_do_not_grow_with_rows(staff_client, user):
    store_timeline(make_session(user))
    few = len(changelist_queries(staff_client, EVENTS))
    for _ in range(4):
        store_timeline(make_session(make_user(f"u{_}")))
    assert len(changelist_queries(staff_client, EVENTS)) == few


@pytest.mark.django_db
def test_the_count_is_capped(staff_client, finished_session, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 4)
    body = staff_client.get(EVENTS).content.decode()
    assert "4+ events" in body
    assert staff_client.get(f"{EVENTS}?phase=error").content.decode().count("4+ events") == 0


# -- export ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_export_action_streams_selected_sessions_events_as_jsonl(async_client, user):
    from asgiref.sync import sync_to_async

    staff = await sync_to_async(make_user)("auditor", staff=True)
    first, second, other = [await sync_to_async(make_session)(user) for _ in range(3)]
    for session in (first, second, other):
        await sync_to_async(store_timeline)(session)
    await async_client.aforce_login(staff)
    response = await async_client.post(
        SESSIONS,
        {"action": "export_events_jsonl", "_selected_action": [str(first.pk), str(second.pk)]},
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].startswith('attachment; filename="agentstream-events-')
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    lines = [json.loads(line) for line in body.splitlines()]
    expected = [
        e.to_dict()
        async for e in Event.objects.filter(session__in=[first, second]).order_by(
            "session__created_at", "seq"
        )
    ]
    assert lines == expected
    assert {line["sid"] for line in lines} == {str(first.pk), str(second.pk)}


@pytest.mark.django_db
def test_export_action_refuses_non_staff(client, finished_session):
    client.force_login(finished_session.owner)
    response = client.post(
        SESSIONS, {"action": "export_events_jsonl", "_selected_action": [finished_session.pk]}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
