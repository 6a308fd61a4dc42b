"""streaming/site/admin: a read-only, staff-only review of sessions and their events."""

from __future__ import annotations

import pytest

from streaming.log.models import Event
from tests.conftest import make_session
from tests.streaming.site.admin.conftest import EVENTS, SESSIONS, listed_seqs
from tests.streaming.site.conftest import store_timeline

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


# -- lists ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_event_list_of_one_session_in_seq_order(staff_client, user):
    first, second = make_session(user), make_session(user)
    store_timeline(first)
    store_timeline(second)
    response = staff_client.get(f"{EVENTS}?session={second.pk}")
    assert listed_seqs(response) == list(range(1, second.last_seq + 1))
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


@pytest.mark.django_db
def test_a_pruned_session_shows_as_pruned(staff_client, user):
    from django.utils import timezone

    from streaming.log.models import Session as SessionRow

    kept, pruned = make_session(user, query="kept one"), make_session(user, query="pruned one")
    SessionRow.objects.filter(pk=pruned.pk).update(status="completed", pruned_at=timezone.now())
    body = staff_client.get(SESSIONS).content.decode()
    assert 'data-status="pruned">Completed, pruned<' in body
    assert body.count('data-status="pruned"') == 1
    assert kept.pk != pruned.pk
