"""streaming/site/durations.py: one wording of a duration, on the pages and in the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from streaming.log.models import Session, SessionStatus
from streaming.site.durations import format_duration
from tests.conftest import make_session

T0 = timezone.now().replace(microsecond=0)


def unsaved(**fields) -> Session:
    return Session(created_at=T0 - timedelta(seconds=30), **fields)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0.0 s"), (4.25, "4.2 s"), (59.9, "59.9 s"), (185, "3 min 5 s"), (7260, "2 h 1 min")],
)
def test_an_ended_session_shows_how_long_it_ran(seconds, text):
    session = unsaved(started_at=T0, ended_at=T0 + timedelta(seconds=seconds))
    assert format_duration(session) == text


def test_a_running_session_shows_how_long_it_has_run_so_far():
    session = unsaved(started_at=T0)
    assert format_duration(session, now=T0 + timedelta(seconds=90)) == "1 min 30 s"


def test_a_waiting_session_has_no_duration_yet():
    assert format_duration(unsaved(), now=T0 + timedelta(hours=1)) == "—"


def test_a_session_cancelled_before_it_started_counts_from_its_creation():
    assert format_duration(unsaved(ended_at=T0)) == "30.0 s"


@pytest.mark.django_db
def test_the_home_page_and_the_admin_say_the_same(client, staff_user):
    session = make_session(staff_user, query="a long run", status=SessionStatus.COMPLETED)
    Session.objects.filter(pk=session.pk).update(
        started_at=T0, ended_at=T0 + timedelta(hours=2, minutes=3)
    )
    client.force_login(staff_user)
    assert '<td class="num">2 h 3 min</td>' in client.get("/").content.decode()
    admin_list = client.get("/admin/streaming/session/").content.decode()
    assert '<td class="field-duration">2 h 3 min</td>' in admin_list
