"""Who may read and control a session; share tokens compared safely."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from streaming.transports.access import access_to, get_access, parse_session_id, token_matches
from tests.conftest import make_session

pytestmark = pytest.mark.usefixtures("fast_password_hasher")


def test_parse_session_id_takes_only_canonical_uuids():
    sid = uuid.uuid4()
    assert parse_session_id(str(sid)) == sid
    assert parse_session_id(str(sid).upper()) == sid
    for bad in [sid.hex, f"{{{sid}}}", f"urn:uuid:{sid}", "", "x", str(sid) + "0", None, 5]:
        assert parse_session_id(bad) is None


def test_token_matches():
    assert token_matches("abc-_9", "abc-_9")
    assert not token_matches("abc-_8", "abc-_9")
    assert not token_matches("", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("abc", "")
    assert not token_matches("ümlaut", "abc")


@pytest.mark.django_db
def test_owner_and_staff_control_token_reads_others_get_nothing(user, other_user, staff_user):
    session = make_session(user)
    owner = access_to(session, user)
    assert owner is not None
    assert owner.can_control
    assert owner.shows_token
    staff = access_to(session, staff_user)
    assert staff is not None
    assert staff.can_control
    reader = access_to(session, AnonymousUser(), session.share_token)
    assert reader is not None
    assert not reader.can_control
    assert not reader.shows_token
    other_with_token = access_to(session, other_user, session.share_token)
    assert other_with_token is not None
    assert not other_with_token.can_control
    assert access_to(session, other_user) is None
    assert access_to(session, AnonymousUser()) is None
    assert access_to(session, None, "nope") is None
    assert get_access(str(session.id), user) is not None
    assert get_access("not-a-uuid", user) is None
    assert get_access(uuid.uuid4(), staff_user) is None
