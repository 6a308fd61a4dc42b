"""The changelists stay fast: bounded counts, no DISTINCT, no query per row."""

from __future__ import annotations

import pytest

from streaming.site.admin.paging import CappedCountPaginator
from tests.conftest import make_session, make_user
from tests.streaming.site.admin.conftest import EVENTS, SESSIONS, changelist_queries
from tests.streaming.site.conftest import store_timeline


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
