"""streaming/site/views/share.py: a new share token; links with the old one stop working."""

from __future__ import annotations

import pytest
from django.urls import reverse

from streaming.log.models import Session
from streaming.log.sessions import rotate_share_token
from tests.streaming.site.conftest import client_for, error_code, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def rotate_url(session) -> str:
    return reverse("api-session-share-token", args=[session.id])


@pytest.mark.parametrize("who", ["owner", "staff"])
async def test_owner_and_staff_rotate_the_token_and_the_old_one_stops_working(
    who, session, staff_user
):
    old = session.share_token
    client = await client_for(session.owner if who == "owner" else staff_user)
    response = await post_json(client, rotate_url(session), {})
    assert response.status_code == 200
    body = response.json()
    fresh = await Session.objects.aget(pk=session.pk)
    assert body["share_token"] == fresh.share_token != old
    assert body["id"] == str(session.id)
    anonymous = await client_for()
    detail = f"/api/sessions/{session.id}/"
    assert (await anonymous.get(detail, {"token": old})).status_code == 404
    assert (await anonymous.get(detail, {"token": fresh.share_token})).status_code == 200
    page = await anonymous.get(reverse("session-page", args=[session.id]), {"token": old})
    assert page.status_code == 404
    assert "This link has expired" in page.content.decode()


async def test_a_share_link_reader_and_other_users_may_not_rotate(session, other_user):
    for client in (await client_for(), await client_for(other_user)):
        response = await post_json(
            client, rotate_url(session) + f"?token={session.share_token}", {}
        )
        assert response.status_code == 404
        assert error_code(response) == "not_found"
    assert (await Session.objects.aget(pk=session.pk)).share_token == session.share_token


async def test_rotate_is_post_only_and_csrf_checked(session):
    client = await client_for(session.owner)
    response = await client.get(rotate_url(session))
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"
    response = await client.post(rotate_url(session))  # no CSRF token
    assert response.status_code == 403
    assert error_code(response) == "csrf"


def test_rotate_share_token_returns_none_for_no_session(db):
    import uuid

    assert rotate_share_token(session_id=uuid.uuid4()) is None
