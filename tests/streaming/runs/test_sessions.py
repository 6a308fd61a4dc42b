"""create_session: validation, workspaces and the per-user rate limit, counted from the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from streaming.log.models import Session
from streaming.runs.exceptions import BadQuery, BadWorkspace, RateLimited
from streaming.runs.sessions import acreate_session, create_session
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]


def test_creates_a_pending_session_in_the_default_workspace(user):
    session = create_session(owner=user, query="Map it")
    assert session.status == "pending"
    assert session.workspace == "sample"
    assert session.owner == user
    assert session.last_seq == 0
    assert Session.objects.get(pk=session.pk).query == "Map it"


@pytest.mark.parametrize("query", [None, "", " \n\t", 3, "x" * 10_001, "nul\x00", ["q"]])
def test_refuses_bad_queries(query, user):
    with pytest.raises(BadQuery) as info:
        create_session(owner=user, query=query)
    assert info.value.code == "bad_query"
    assert not Session.objects.exists()


@pytest.mark.parametrize("workspace", ["..", ".", "/tmp", "nope", "sample/x", 4, ["sample"]])
def test_refuses_bad_workspaces(workspace, user):
    with pytest.raises(BadWorkspace):
        create_session(owner=user, query="q", workspace=workspace)
    assert not Session.objects.exists()


def test_empty_workspace_means_the_default(user):
    assert create_session(owner=user, query="q", workspace="").workspace == "sample"


def test_rate_limit_per_user_from_the_database(settings, user):
    settings.AGENTSTREAM_SESSIONS_PER_MINUTE = 2
    create_session(owner=user, query="a")
    create_session(owner=user, query="b")
    with pytest.raises(RateLimited) as info:
        create_session(owner=user, query="c")
    assert 1 <= info.value.retry_after <= 60
    with pytest.raises(BadQuery):  # refused for its query: it does not take a slot either
        create_session(owner=user, query="")
    assert Session.objects.count() == 2
    create_session(owner=make_user("bob"), query="another user has their own minute")
    oldest = Session.objects.filter(owner=user).order_by("created_at").first()
    Session.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    create_session(owner=user, query="one slot freed")
    with pytest.raises(RateLimited):
        create_session(owner=user, query="and only one")


@pytest.mark.django_db(transaction=True)
async def test_the_async_twin(user):
    session = await acreate_session(owner=user, query="async", workspace="sample")
    assert (await Session.objects.aget(pk=session.pk)).query == "async"
