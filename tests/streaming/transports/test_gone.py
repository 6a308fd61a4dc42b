"""A pruned session (docs/protocol.md, "Retention"): access says it is gone, the WebSocket 4410."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from streaming.log.retention import prune_sessions
from streaming.transports.access import get_access
from streaming.transports.websocket import CLOSE_GONE, CLOSE_NOT_FOUND
from tests.streaming.conftest import alogin_cookie, ws_client, ws_close_code, ws_until_end
from tests.streaming.log.old_sessions import ended_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


def prune_old() -> list:
    return list(prune_sessions(ended_before=timezone.now() - timedelta(days=30)))


@pytest.fixture
def pruned(user):
    session = ended_session(user)
    assert [p.session_id for p in prune_old()] == [session.id]
    session.refresh_from_db()
    return session


def test_access_to_a_pruned_session_says_gone_to_those_who_may_read_it(
    pruned, user, staff_user, other_user
):
    owner = get_access(pruned.id, user)
    assert owner is not None
    assert owner.gone
    assert owner.can_control
    assert get_access(pruned.id, staff_user).gone
    by_token = get_access(pruned.id, AnonymousUser(), pruned.share_token)
    assert by_token.gone
    assert not by_token.can_control
    # Anyone else learns nothing more than of a session that never was.
    assert get_access(pruned.id, other_user) is None
    assert get_access(pruned.id, AnonymousUser(), "x" * len(pruned.share_token)) is None


def test_access_to_a_session_that_is_not_pruned_is_not_gone(user):
    session = ended_session(user, days_ago=1)
    prune_old()
    assert not get_access(session.id, user).gone


async def ws_code(path: str, cookie: str | None = None) -> tuple[int | None, list]:
    """Connect, and return the close code and the frames sent before it."""
    client = ws_client(path, cookie=cookie)
    connected, _ = await client.connect(timeout=5)
    assert connected  # accepted, then closed: a refused handshake would look like a network error
    frames = []
    while True:
        output = await client.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            await client.wait()
            return output.get("code"), frames
        frames.append(output)


@pytest.mark.parametrize("who", ["owner", "staff", "share_token"])
async def test_the_websocket_of_a_pruned_session_closes_4410_without_a_frame(
    pruned, user, staff_user, who
):
    path = f"/ws/sessions/{pruned.id}/"
    cookie = None
    if who == "owner":
        cookie = await alogin_cookie(user)
    elif who == "staff":
        cookie = await alogin_cookie(staff_user)
    else:
        path += f"?token={pruned.share_token}"

    assert await ws_code(path + ("&" if "?" in path else "?") + "after=3", cookie) == (
        CLOSE_GONE,
        [],
    )
    assert CLOSE_GONE == 4410


async def test_the_websocket_of_a_pruned_session_is_4404_to_anyone_else(pruned, other_user):
    path = f"/ws/sessions/{pruned.id}/"
    assert await ws_code(path, await alogin_cookie(other_user)) == (CLOSE_NOT_FOUND, [])
    assert await ws_code(path) == (CLOSE_NOT_FOUND, [])


async def test_a_session_streams_until_pruned_then_closes_4410(user):
    session = await sync_to_async(ended_session)(user, events=3)
    cookie = await alogin_cookie(user)
    path = f"/ws/sessions/{session.id}/"
    before = ws_client(path, cookie=cookie)
    assert (await before.connect(timeout=5))[0]
    seqs, end = await ws_until_end(before)
    assert (seqs, end["last_seq"]) == ([1, 2, 3, 4, 5], 5)
    await before.disconnect()

    await sync_to_async(prune_old)()

    client = ws_client(path, cookie=cookie)
    assert (await client.connect(timeout=5))[0]
    assert await ws_close_code(client) == CLOSE_GONE


async def test_a_websocket_replaying_a_session_as_it_is_pruned_closes_4410(user, settings):
    """Pruned mid-replay: the client gets a gapless beginning and 4410, never a history with a
    hole in it nor an `end` (one event a page keeps the replay going while the prune runs)."""
    settings.AGENTSTREAM_REPLAY_PAGE = 1
    session = await sync_to_async(ended_session)(user, events=3_000)
    client = ws_client(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(user))
    assert (await client.connect(timeout=5))[0]
    first = json.loads((await client.receive_output(timeout=5))["text"])
    assert first["seq"] == 1
    await sync_to_async(prune_old)()
    seqs, code = [1], None
    while code is None:
        output = await client.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            code = output.get("code")
        else:
            frame = json.loads(output["text"])
            assert frame.get("type") != "end", f"an end after {len(seqs)} of 3,002 events"
            seqs.extend(e["seq"] for e in frame.get("events", [frame]))
    assert code == CLOSE_GONE
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) < 3_002
