"""Client frames on the WebSocket: ping, resume, cancel, and every malformed frame's answer."""

from __future__ import annotations

import json
import uuid

import pytest
from asgiref.sync import sync_to_async

from streaming import Event, bound_session, emit
from streaming.log.follow import WireEvent
from streaming.log.models import Session
from streaming.runs.models import Run
from streaming.transports import frames
from tests.conftest import make_session, make_user
from tests.streaming.conftest import alogin_cookie, emit_events, ws_open, ws_until_end

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hasher"),
]


@sync_to_async
def new_session(owner=None, **fields) -> Session:
    return make_session(owner or make_user(f"u{uuid.uuid4().hex[:8]}"), **fields)


async def open_ended(user, count: int = 3):
    """A client of an ended session (1..count+2) that has read everything and its `end`."""
    session = await new_session(user)
    await emit_events(session.id, count)
    client = await ws_open(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(user))
    await ws_until_end(client)
    return session, client


async def assert_still_usable(client) -> None:
    await client.send_json_to({"type": "ping"})
    assert await client.receive_json_from(timeout=5) == {"type": "pong"}


async def test_ping_is_answered_with_pong(user):
    _, client = await open_ended(user)
    await assert_still_usable(client)
    await client.send_json_to({"type": "ping", "extra": [1, 2]})  # unknown fields are ignored
    assert await client.receive_json_from() == {"type": "pong"}
    await client.disconnect()


BAD_FRAMES = [
    ("not json", "bad_request"),
    ("{", "bad_request"),
    ("NaN", "bad_request"),
    ('{"type": "ping", "x": NaN}', "bad_request"),
    ("[1, 2]", "bad_request"),
    ('"ping"', "bad_request"),
    ("42", "bad_request"),
    ("null", "bad_request"),
    ("{}", "bad_request"),
    ('{"type": 5}', "bad_request"),
    ('{"type": null}', "bad_request"),
    ('{"type": "subscribe"}', "bad_request"),
    ('{"type": "resume"}', "bad_request"),
    ('{"type": "resume", "after": "2"}', "bad_request"),
    ('{"type": "resume", "after": 2.5}', "bad_request"),
    ('{"type": "resume", "after": true}', "bad_request"),
    ('{"type": "resume", "after": null}', "bad_request"),
    ("[" * 100_00 + "]" * 100_00, "bad_request"),
    (json.dumps({"type": "ping", "pad": "x" * (64 * 1024)}), "too_large"),
]


@pytest.mark.parametrize(("text", "code"), BAD_FRAMES)
async def test_malformed_frames_get_an_error_frame_and_the_socket_stays_usable(text, code, user):
    _, client = await open_ended(user)
    await client.send_to(text_data=text)
    frame = await client.receive_json_from(timeout=5)
    assert frame["type"] == "error"
    assert frame["code"] == code
    assert frame["detail"]
    await assert_still_usable(client)
    await client.disconnect()


async def test_binary_frames_are_read_as_utf8_json_or_refused(user):
    _, client = await open_ended(user)
    await client.send_to(bytes_data=b'{"type": "ping"}')
    assert await client.receive_json_from() == {"type": "pong"}
    await client.send_to(bytes_data=b"\xff\xfe")
    assert (await client.receive_json_from())["code"] == "bad_request"
    await assert_still_usable(client)
    await client.disconnect()


async def test_a_frame_of_exactly_64_kib_is_accepted(user):
    _, client = await open_ended(user)
    base = json.dumps({"type": "ping", "pad": ""})
    text = json.dumps({"type": "ping", "pad": "x" * (64 * 1024 - len(base))})
    assert len(text.encode()) == 64 * 1024
    await client.send_to(text_data=text)
    assert await client.receive_json_from() == {"type": "pong"}
    await client.disconnect()


async def test_resume_sends_again_from_n_and_end_again(user):
    _, client = await open_ended(user, count=3)  # 1..5
    await client.send_json_to({"type": "resume", "after": 2})
    seqs, end = await ws_until_end(client)
    assert seqs == [3, 4, 5]
    assert end == {"type": "end", "status": "completed", "last_seq": 5}
    await client.send_json_to({"type": "resume", "after": 5})
    assert await client.receive_json_from() == end
    await client.send_json_to({"type": "resume", "after": 0})
    seqs, _ = await ws_until_end(client)
    assert seqs == [1, 2, 3, 4, 5]
    await client.disconnect()


@pytest.mark.parametrize("after", [-1, 6, 10**30])
async def test_resume_out_of_range_is_bad_cursor_and_the_socket_stays(after, user):
    _, client = await open_ended(user, count=3)
    await client.send_json_to({"type": "resume", "after": after})
    frame = await client.receive_json_from()
    assert frame["type"] == "error"
    assert frame["code"] == "bad_cursor"
    await assert_still_usable(client)
    await client.disconnect()


async def test_resume_during_a_live_session_then_live_events_continue(user):
    session = await new_session(user)
    await emit_events(session.id, 2, end=None)  # 1..3, still running
    client = await ws_open(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(user))
    assert [e["seq"] for e in (await client.receive_json_from())["events"]] == [1, 2, 3]
    await client.send_json_to({"type": "resume", "after": 1})
    assert [e["seq"] for e in (await client.receive_json_from())["events"]] == [2, 3]
    with bound_session(session.id):
        await emit(Event.for_session("completed", "done"), wait=True)
    seqs, end = await ws_until_end(client)
    assert seqs == [4]
    assert end["last_seq"] == 4
    await client.disconnect()


async def test_cancel_with_a_share_token_is_forbidden_and_changes_nothing():
    session = await new_session()
    await emit_events(session.id, 1, end=None)
    client = await ws_open(f"/ws/sessions/{session.id}/?token={session.share_token}")
    assert (await client.receive_json_from())["type"] == "events"
    await client.send_json_to({"type": "cancel"})
    frame = await client.receive_json_from()
    assert frame == {"type": "error", "code": "forbidden", "detail": frame["detail"]}
    await assert_still_usable(client)
    assert (await Run.objects.aget(session_id=session.id)).cancel_requested_at is None
    assert (await Session.objects.aget(pk=session.id)).ended_at is None
    await client.disconnect()


async def test_cancel_by_the_owner_ends_a_pending_session_cancelled(user):
    session = await new_session(user)  # pending: no workflow ever started
    client = await ws_open(f"/ws/sessions/{session.id}/", cookie=await alogin_cookie(user))
    await client.send_json_to({"type": "cancel"})
    seqs, end = await ws_until_end(client)
    assert seqs == [1, 2]  # started, then cancelled
    assert end == {"type": "end", "status": "cancelled", "last_seq": 2}
    await client.disconnect()


def wire(seq: int, size: int) -> WireEvent:
    return WireEvent(seq=seq, t="agent_event", end_status=None, text=json.dumps({"p": "x" * size}))


def test_event_frames_split_batches_by_bytes():
    batch = [wire(n, 100) for n in range(1, 101)]
    texts = list(frames.event_frames(batch, max_bytes=2_000))
    assert len(texts) > 1
    decoded = [json.loads(t) for t in texts]
    assert all(d["type"] == "events" for d in decoded)
    assert all(len(t) <= 2_000 + 200 for t in texts)
    # Every event once, in order, as its own text: the frames only cut the batch.
    assert [e for d in decoded for e in d["events"]] == [json.loads(w.text) for w in batch]
    assert all(len(d["events"]) > 1 for d in decoded)  # 100-byte events: several to a frame
    big = list(frames.event_frames([wire(1, 10), wire(2, 5_000), wire(3, 10)], max_bytes=1_000))
    assert [len(json.loads(t)["events"]) for t in big] == [1, 1, 1]
    assert list(frames.event_frames([wire(7, 3)], max_bytes=10)) == [wire(7, 3).text]
