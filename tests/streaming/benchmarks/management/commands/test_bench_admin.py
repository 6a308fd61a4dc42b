"""`manage.py bench_admin`: compared with the naive admin, cleaned up, no usable login left."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.sessions.models import Session as DjangoSession
from django.core.management import call_command

from streaming.log.models import Event, Session


@pytest.mark.django_db
def test_bench_admin_compares_with_the_naive_admin_and_cleans_up():
    out = io.StringIO()
    call_command("bench_admin", "--events", "400", "--sessions", "4", "--runs", "1", stdout=out)
    text = out.getvalue()
    assert "generating 400 events in 4 sessions" in text
    for label in ("events, page 1", "events, phase=error", "events of one session"):
        line = next(line for line in text.splitlines() if line.startswith(label))
        assert len(line.split()) >= len(label.split()) + 6  # both admins measured
    assert "query plans (agentstream's admin)" in text
    assert "event_phase_ts" in text  # the phase filter is served by its index
    assert not Session.objects.exists()
    assert not Event.objects.exists()
    assert not get_user_model().objects.filter(username="bench-admin").exists()
    assert not DjangoSession.objects.exists()  # its forced login is logged out


@pytest.mark.django_db
def test_bench_admin_keeps_a_user_nobody_can_log_in_as():
    get_user_model().objects.create_user("bench-admin", password="known")
    out = io.StringIO()
    call_command(
        "bench_admin",
        "--events",
        "40",
        "--sessions",
        "2",
        "--runs",
        "1",
        "--keep",
        "--no-naive",
        stdout=out,
    )
    assert "bench rows and user kept" in out.getvalue()
    user = get_user_model().objects.get(username="bench-admin")
    assert not user.has_usable_password()
    assert authenticate(username="bench-admin", password="known") is None
    assert Event.objects.filter(session__owner=user).count() == 40
