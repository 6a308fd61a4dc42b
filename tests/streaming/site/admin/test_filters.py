"""The event list's filters, search and date range."""

from __future__ import annotations

import pytest

from streaming.log.models import Event
from tests.streaming.site.admin.conftest import EVENTS, listed_seqs


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
