"""The WebSocket /ws/sessions/<id>/: replay then live, access, cursors, close codes, Origin."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async

from streaming import Event, bound_session, emit
from streaming.log.models import Session
from streaming.testing import eventually
from tests.conftest import make_session, make_user
from tests.streaming.conftest import (
    alogin_cookie,
    emit_events,
    seqs_of,
    think,
    ws_client,
    ws_close_code,
    ws_open,
    ws_until_end,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


@sync_to_async
def new_session(owner=None, **fields) -> Session:
    return make_session(owner or make_user(f"u{uuid.uuid4().hex[:8]}"), **fields)


async def test_replays_stored_events_then_live_ones_then_end(user):
    session = await new_session(user)
    await emit_events(session.id, 5, end=None)  # seq 1..6 stored before the client comes
    client = await ws_open(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(user))
    first = await client.receive_json_from(timeout=5)
    assert seqs_of(first) == [1, 2, 3, 4, 5, 6]
    assert first["type"] == "events"
    assert first["events"][0]["t"] == "session_event"
    assert first["events"][0]["sid"] == str(session.id)
    with bound_session(session.id):
        await emit(think(99), wait=True)
    live = await client.receive_json_from(timeout=5)
    assert live["seq"] == 7  # a single live event is sent as itself
    assert live["msg"] == "thought 99"
    with bound_session(session.id):
        await emit(Event.for_session("completed", "done"), wait=True)
    seqs, end = await ws_until_end(client)
    assert seqs == [8]
    assert end == {"type": "end", "status": "completed", "last_seq": 8}
    # The socket stays open after `end`.
    await client.send_json_to({"type": "ping"})
    assert await client.receive_json_from() == {"type": "pong"}
    await client.disconnect()


async def test_starts_after_the_cursor(user):
    session = await new_session(user)
    await emit_events(session.id, 8)  # 1..10
    client = await ws_open(f"/ws/sessions/{session.id}/?after=7", cookie=await alogin_cookie(user))
    seqs, end = await ws_until_end(client)
    assert seqs == [8, 9, 10]
    assert end["last_seq"] == 10
    await client.disconnect()


async def test_cursor_at_the_end_of_an_ended_session_gets_only_end(user):
    session = await new_session(user)
    await emit_events(session.id, 2)  # 1..4
    client = await ws_open(f"/ws/sessions/{session.id}/?after=4", cookie=await alogin_cookie(user))
    assert await client.receive_json_from() == {"type": "end", "status": "completed", "last_seq": 4}
    await client.disconnect()


async def test_share_token_reads_without_login():
    session = await new_session()
    await emit_events(session.id, 3)
    client = await ws_open(f"/ws/sessions/{session.id}/?token={session.share_token}")
    seqs, end = await ws_until_end(client)
    assert seqs == [1, 2, 3, 4, 5]
    assert end["status"] == "completed"
    await client.disconnect()


async def test_staff_reads_any_session(staff_user):
    session = await new_session()
    await emit_events(session.id, 1)
    client = await ws_open(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(staff_user))
    seqs, _ = await ws_until_end(client)
    assert seqs == [1, 2, 3]
    await client.disconnect()


@pytest.mark.parametrize(
    "case", ["anonymous", "other_user", "wrong_token", "unknown", "not_a_uuid", "uppercase_junk"]
)
async def test_no_access_is_accepted_then_closed_4404(case, user, other_user):
    session = await new_session(user)
    await emit_events(session.id, 1)
    cookie = None
    path = f"/ws/sessions/{session.id}/"
    if case == "other_user":
        cookie = await alogin_cookie(other_user)
    elif case == "wrong_token":
        path += "?token=" + "x" * len(session.share_token)
    elif case == "unknown":
        path = f"/ws/sessions/{uuid.uuid4()}/"
        cookie = await alogin_cookie(user)
    elif case == "not_a_uuid":
        path = "/ws/sessions/not-a-uuid/"
        cookie = await alogin_cookie(user)
    elif case == "uppercase_junk":
        path = f"/ws/sessions/{str(session.id)[:-1]}Z/"
        cookie = await alogin_cookie(user)
    client = ws_client(path, cookie=cookie)
    connected, _ = await client.connect(timeout=5)
    assert connected  # accepted, so a browser sees the close code
    output = await client.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4404}
    await client.disconnect()


@pytest.mark.parametrize("after", ["x", "-1", "1.5", "", "6", "99999999999999999999", "%20"])
async def test_bad_after_gets_error_frame_and_4400(after, user):
    session = await new_session(user)
    await emit_events(session.id, 3)  # last_seq 5
    client = await ws_open(
        f"/ws/sessions/{session.id}/?after={after}", cookie=await alogin_cookie(user)
    )
    frame = await client.receive_json_from(timeout=5)
    assert frame["type"] == "error"
    assert frame["code"] == "bad_cursor"
    assert isinstance(frame["detail"], str)
    assert await ws_close_code(client) == 4400


@pytest.mark.parametrize(
    ("origin", "cookie"), [(None, True), (b"http://evil.example", True), (b"null", False)]
)
async def test_missing_or_foreign_origin_is_refused_at_the_handshake(origin, cookie, user):
    session = await new_session(user)
    client = ws_client(
        f"/ws/sessions/{session.id}/",
        origin=origin,
        cookie=await alogin_cookie(user) if cookie else None,
    )
    connected, code = await client.connect(timeout=5)
    assert not connected  # daphne answers a handshake closed before accept with HTTP 403
    assert code in (None, 1000, 403)
    await client.disconnect()


async def test_an_allowed_origin_on_another_port_is_accepted(user):
    session = await new_session(user)
    await emit_events(session.id, 0)
    client = await ws_open(
        f"/ws/sessions/{session.id}/",
        cookie=await alogin_cookie(user),
        origin=b"http://127.0.0.1:8123",
    )
    seqs, _ = await ws_until_end(client)
    assert seqs == [1, 2]
    await client.disconnect()


async def test_clients_connecting_while_events_are_emitted_get_each_once(user):
    """The group is joined before the database is read: nothing falls between the two."""
    session = await new_session(user)
    cookie = await alogin_cookie(user)
    total = 300
    emitted = 0

    async def producer():
        nonlocal emitted
        with bound_session(session.id):
            await emit(Event.for_session("started", "go"))
            for n in range(total):
                await emit(think(n))
                emitted = n + 1
                if n % 20 == 0:
                    await asyncio.sleep(0.001)  # keep emitting over time while clients connect
            await emit(Event.for_session("completed", "done"), wait=True)

    async def consumer(index: int) -> list[int]:
        # Each client connects at its own point of the session: after `index * 35` events.
        await eventually(
            lambda: emitted >= index * 35, interval=0.001, what=f"{index * 35} events emitted"
        )
        client = await ws_open(f"/ws/sessions/{session.id}/", cookie=cookie)
        seqs, end = await ws_until_end(client)
        assert end["last_seq"] == total + 2
        await client.disconnect()
        return seqs

    results = await asyncio.gather(producer(), *(consumer(i) for i in range(8)))
    for seqs in results[1:]:
        assert seqs == list(range(1, total + 3))
