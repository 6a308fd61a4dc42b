"""Server-Sent Events: /api/sessions/<id>/stream/ and /events?session_id=, through Django's ASGI."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async

from streaming import Event, bound_session, emit
from streaming.log.groups import session_group
from streaming.testing import eventually
from tests.conftest import make_session, make_user
from tests.streaming.conftest import SseClient, alogin_cookie, emit_events, think
from tests.streaming.transports.conftest import (
    ObjectCensus,
    connection_tasks,
    layer_footprint,
    streams_alive,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


@sync_to_async
def new_session(owner=None):
    return make_session(owner or make_user(f"u{uuid.uuid4().hex[:8]}"))


def stream_path(session) -> str:
    return f"/api/sessions/{session.id}/stream/"


async def open_stream(user, session, *, query: str = "", headers=()) -> SseClient:
    cookie = (b"cookie", (await alogin_cookie(user)).encode())
    return await SseClient(stream_path(session), query=query, headers=[cookie, *headers]).start()


async def test_stream_headers_messages_and_end(user):
    session = await new_session(user)
    await emit_events(session.id, 2)  # 1..4
    sse = await open_stream(user, session)
    assert sse.status == 200
    assert sse.headers["content-type"].startswith("text/event-stream")
    assert sse.headers["cache-control"] == "no-cache"
    assert sse.headers["x-accel-buffering"] == "no"
    body = await sse.body()
    assert sse.finished  # closes after `end`
    messages = [m for m in sse.messages() if ":" not in m]
    assert [m["id"] for m in messages[:-1]] == ["1", "2", "3", "4"]
    assert [m["event"] for m in messages] == [
        "session_event",
        "agent_event",
        "agent_event",
        "session_event",
        "end",
    ]
    first = json.loads(messages[0]["data"])
    assert first["seq"] == 1
    assert first["sid"] == str(session.id)
    assert first["phase"] == "started"
    assert json.loads(messages[-1]["data"]) == {"status": "completed", "last_seq": 4}
    assert "id: 4\nevent: session_event\ndata: {" in body


async def test_live_events_follow_the_replay(user):
    session = await new_session(user)
    await emit_events(session.id, 1, end=None)  # 1..2, running
    sse = await open_stream(user, session)
    while sse.seqs() != [1, 2]:
        await sse.chunk()
    with bound_session(session.id):
        await emit(think(5))
        await emit(Event.for_session("failed", "boom"), wait=True)
    assert await sse.read_until_end() == {"status": "failed", "last_seq": 4}
    assert sse.seqs() == [1, 2, 3, 4]
    await sse.body()


async def test_last_event_id_wins_over_after(user):
    session = await new_session(user)
    await emit_events(session.id, 4)  # 1..6
    sse = await open_stream(user, session, query="after=1", headers=[(b"last-event-id", b"4")])
    await sse.body()
    assert sse.seqs() == [5, 6]
    sse = await open_stream(user, session, query="after=3")
    await sse.body()
    assert sse.seqs() == [4, 5, 6]


@pytest.mark.parametrize(
    ("query", "header"),
    [
        ("after=x", None),
        ("after=-1", None),
        ("after=7", None),
        ("after=", None),
        ("", b"x"),
        ("", b"7"),
        ("", b""),
        ("after=2", b"2.0"),
        ("", b"-0"),
    ],
)
async def test_bad_cursors_are_400_bad_cursor(query, header, user):
    session = await new_session(user)
    await emit_events(session.id, 4)  # last_seq 6
    headers = [(b"last-event-id", header)] if header is not None else []
    sse = await open_stream(user, session, query=query, headers=headers)
    body = await sse.body()
    assert sse.status == 400
    assert json.loads(body)["error"]["code"] == "bad_cursor"


async def test_the_events_alias_streams_the_same(user):
    session = await new_session(user)
    await emit_events(session.id, 1)
    cookie = (b"cookie", (await alogin_cookie(user)).encode())
    sse = await SseClient("/events", query=f"session_id={session.id}", headers=[cookie]).start()
    await sse.body()
    assert sse.headers["content-type"].startswith("text/event-stream")
    assert sse.seqs() == [1, 2, 3]
    assert sse.end() == {"status": "completed", "last_seq": 3}


@pytest.mark.parametrize(
    "query", ["", "session_id=", "session_id=nope", f"session_id={uuid.uuid4()}"]
)
async def test_the_events_alias_without_a_readable_session_is_404(query, user):
    cookie = (b"cookie", (await alogin_cookie(user)).encode())
    sse = await SseClient("/events", query=query, headers=[cookie]).start()
    body = await sse.body()
    assert sse.status == 404
    assert json.loads(body)["error"]["code"] == "not_found"


async def test_share_token_reads_and_other_users_get_404(user, other_user):
    session = await new_session(user)
    await emit_events(session.id, 0)
    sse = await SseClient(stream_path(session), query=f"token={session.share_token}").start()
    await sse.body()
    assert sse.seqs() == [1, 2]
    for client in (
        await open_stream(other_user, session),
        await SseClient(stream_path(session)).start(),
        await SseClient(stream_path(session), query="token=wrong").start(),
        await SseClient("/api/sessions/not-a-uuid/stream/").start(),
    ):
        body = await client.body()
        assert client.status == 404
        assert json.loads(body)["error"]["code"] == "not_found"


async def test_keepalive_comments_while_idle(user, fast_streams):
    session = await new_session(user)
    await emit_events(session.id, 0, end=None)
    sse = await open_stream(user, session)
    while sse.buffer.count(": keepalive") < 2:
        await sse.chunk(within=5)
    assert sse.seqs() == [1]
    await sse.disconnect()


async def test_post_to_the_stream_is_405(user):
    session = await new_session(user)
    client = SseClient(stream_path(session), headers=[])
    client.communicator.scope["method"] = "PUT"
    await client.start()
    body = await client.body()
    assert client.status in (403, 405)  # CSRF is checked before the method
    assert json.loads(body)["error"]["code"] in ("csrf", "method_not_allowed")


async def test_disconnects_leave_nothing_behind(user):
    session = await new_session(user)
    await emit_events(session.id, 2, end=None)
    query = f"token={session.share_token}"
    connections = 300

    async def cycle():
        sse = await SseClient(stream_path(session), query=query).start()
        while sse.seqs() != [1, 2, 3]:
            await sse.chunk()
        await sse.disconnect()

    for _ in range(20):  # warm up: lazily made pools, caches, the watcher task
        await cycle()
    group = session_group(session.id)

    async def footprint() -> dict[str, object]:
        return {
            "tasks": connection_tasks(),
            "layer": await layer_footprint(group),
            **streams_alive(),
        }

    before = await footprint()
    assert before["layer"]["group_members"] == 0
    assert (before["tails"], before["memberships"], before["watched"]) == (0, 0, 0)
    census = ObjectCensus()
    for _ in range(connections):
        await cycle()

    async def back_to_before() -> bool:
        assert await footprint() == before
        return True

    def nothing_kept_per_connection() -> bool:
        kept = census.kept_per_connection(connections)
        assert not kept, f"objects kept per connection, by type: {kept}"
        return True

    await eventually(back_to_before, what="the streams' tasks, tails and layer state to go")
    await eventually(nothing_kept_per_connection, interval=0.2, what="the connections' objects")
