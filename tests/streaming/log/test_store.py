"""The write path: gapless seqs allocated in the insert's transaction, and closed sessions."""

from __future__ import annotations

import subprocess
import threading
import uuid

import pytest
from django.db import connection

from streaming.log.events import Event
from streaming.log.exceptions import SessionClosed
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.log.store import record_batch, record_events
from tests.streaming.log.conftest import ROOT, child_env, script, seqs

pytestmark = pytest.mark.django_db(transaction=True)


def think(msg: str) -> Event:
    return Event.for_agent("research", "think", msg)


def test_seqs_start_at_one_and_continue_without_gaps(session):
    first = record_events(session_id=session.id, events=[think("a"), think("b")])
    second = record_events(session_id=session.id, events=[think("c")])
    assert [e.seq for e in first + second] == [1, 2, 3]
    assert seqs(session.id) == [1, 2, 3]
    session.refresh_from_db()
    assert session.last_seq == 3


def test_stored_rows_hold_the_event_and_data_as_a_json_object(session):
    event = Event.for_agent("research", "result", "done", pct=1.0, data={"files": 3})
    (stored,) = record_events(session_id=session.id, events=[event])
    row = Row.objects.get(session=session, seq=1)
    assert row.data == {"files": 3}
    assert row.to_dict() == stored.to_dict()


def test_terminal_event_closes_the_session_in_the_same_write(session):
    record_events(
        session_id=session.id,
        events=[Event.for_session("started", "go"), Event.for_session("completed", "done")],
    )
    session.refresh_from_db()
    assert session.status == "completed"
    assert session.ended_at is not None
    with pytest.raises(SessionClosed):
        record_events(session_id=session.id, events=[think("too late")])
    assert seqs(session.id) == [1, 2]


def test_events_after_the_terminal_one_in_a_batch_are_refused(session):
    result = record_batch(
        {session.id: [think("a"), Event.for_session("failed", "broke"), think("after")]}
    )
    assert [e.msg for e in result.stored[session.id]] == ["a", "broke"]
    assert [e.msg for e in result.refused[session.id]] == ["after"]
    assert seqs(session.id) == [1, 2]
    assert Session.objects.get(id=session.id).status == "failed"


def test_one_closed_session_does_not_stop_the_others_in_a_batch(user):
    open_one = Session.objects.create(owner=user, query="a")
    closed = Session.objects.create(owner=user, query="b")
    record_events(session_id=closed.id, events=[Event.for_session("cancelled", "stop")])
    missing = uuid.uuid4()
    result = record_batch(
        {open_one.id: [think("x")], closed.id: [think("y")], missing: [think("z")]}
    )
    assert list(result.stored) == [open_one.id]
    assert set(result.refused) == {closed.id, missing}
    assert seqs(open_one.id) == [1]
    assert seqs(closed.id) == [1]


def test_concurrent_writers_into_one_session_stay_gapless(session):
    """Threads with their own connections race on one session: every seq once, no gap."""
    errors: list[BaseException] = []

    def writer(tag: str) -> None:

        try:
            for i in range(40):
                record_events(session_id=session.id, events=[think(f"{tag}{i}"), think("+")])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seqs(session.id) == list(range(1, 321))


def test_text_that_copy_and_insert_must_escape_round_trips(session):
    tricky = 'tab\there, new\nline, back\\slash, "quotes", \\N, ünïcødé ✓, \r'
    event = Event.for_agent("research", "think", tricky, data={"k": tricky, "n": [1, None]})
    (stored,) = record_events(session_id=session.id, events=[event])
    row = Row.objects.get(session=session, seq=1)
    assert row.msg == tricky
    assert row.data == {"k": tricky, "n": [1, None]}
    assert row.agent == "research"
    assert row.pct is None
    assert row.to_dict() == stored.to_dict()


@pytest.mark.slow
def test_two_processes_emitting_into_one_session_get_a_gapless_seq(session):
    body = """
    with bound_session(SID):
        for i in range(300):
            emit_sync(think(f"{os.getpid()}:{i}"))
        flush_sync()
    """
    children = [
        subprocess.Popen([*script(body), str(session.id)], env=child_env(), cwd=ROOT)
        for _ in range(2)
    ]
    for child in children:
        assert child.wait(timeout=120) == 0
    assert seqs(session.id) == list(range(1, 601))
    by_process: dict[str, list[int]] = {}
    for msg in Row.objects.for_session(session.id).values_list("msg", flat=True):
        pid, index = msg.split(":")
        by_process.setdefault(pid, []).append(int(index))
    assert sorted(by_process.values()) == [list(range(300))] * 2  # each process's order kept
