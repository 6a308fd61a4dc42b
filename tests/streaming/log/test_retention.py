"""Retention: which sessions are pruned, the archive, the tombstone, deleting in batches."""

from __future__ import annotations

import asyncio
import gzip
import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone

from streaming import Event, bound_session, emit
from streaming.log import retention
from streaming.log.archives import check_archive_dir, write_archive
from streaming.log.events import Event as EventValue
from streaming.log.follow import jsonl_chunks
from streaming.log.models import Event as Row
from streaming.log.models import Session
from streaming.log.store import record_events
from tests.conftest import make_session
from tests.streaming.log.old_sessions import ended_session, stored_objects, stored_seqs

pytestmark = pytest.mark.django_db(transaction=True)


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def prune_all(**kwargs) -> list[retention.Pruned]:
    return list(retention.prune_sessions(ended_before=days_ago(30), **kwargs))


def test_only_sessions_that_ended_before_the_cutoff_are_prunable(user):
    old = {status: ended_session(user, status=status) for status in ("completed", "failed")}
    old["cancelled"] = ended_session(user, status="cancelled", days_ago=31)
    recent = ended_session(user, days_ago=29)
    pending = make_session(user)
    running = make_session(user, status="running")
    Session.objects.filter(pk__in=[pending.pk, running.pk]).update(created_at=days_ago(400))
    already = ended_session(user)
    Session.objects.filter(pk=already.pk).update(pruned_at=days_ago(1))

    prunable = set(Session.objects.prunable(days_ago(30)).values_list("id", flat=True))

    assert prunable == {s.id for s in old.values()}
    assert recent.id not in prunable


@pytest.mark.parametrize("status", ["pending", "running"])
def test_a_session_that_has_not_ended_is_never_pruned_even_with_an_old_ended_at(user, status):
    # A status that is not over wins over any timestamp (and no ended_at at all is never old).
    session = make_session(user, status=status)
    record_events(session_id=session.id, events=[Event.for_session("started", "go")])
    Session.objects.filter(pk=session.pk).update(status=status, ended_at=days_ago(400))
    open_session = make_session(user, status=status)

    assert prune_all() == []
    assert retention.prune_session(session.id, ended_before=days_ago(0)) is None
    assert stored_seqs(session.id) == [1]
    assert not Session.objects.filter(pk__in=[session.pk, open_session.pk], pruned_at__isnull=False)


def test_pruning_archives_then_leaves_a_tombstone_without_events(user, tmp_path):
    session = ended_session(user, events=7)
    kept = ended_session(user, events=3, days_ago=1)
    expected = stored_objects(session.id)

    (pruned,) = prune_all(archive_dir=tmp_path)

    assert pruned == retention.Pruned(
        session_id=session.id, events=9, archive=tmp_path / f"{session.id}.jsonl"
    )
    lines = pruned.archive.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected
    assert stored_seqs(session.id) == []
    tombstone = Session.objects.get(pk=session.pk)
    assert tombstone.is_pruned
    assert (tombstone.status, tombstone.last_seq, tombstone.ended_at) == (
        "completed",
        9,
        session.ended_at,
    )
    assert stored_seqs(kept.id) == [1, 2, 3, 4, 5]
    assert not Session.objects.get(pk=kept.pk).is_pruned
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{session.id}.jsonl"]


def test_the_archive_replays_to_the_same_events(user, tmp_path):
    session = ended_session(user, events=12, status="failed")
    before = stored_objects(session.id)
    plain, zipped = tmp_path / "plain", tmp_path / "zipped"
    plain.mkdir()
    zipped.mkdir()
    archived, written = write_archive(session.id, session.last_seq, plain)
    assert written == 14

    (pruned,) = prune_all(archive_dir=zipped, compress=True)

    assert pruned.archive == zipped / f"{session.id}.jsonl.gz"
    with gzip.open(pruned.archive, "rt", encoding="utf-8") as lines:
        replayed = [EventValue.from_dict(json.loads(line)) for line in lines]
    assert [event.to_dict() for event in replayed] == before
    assert gzip.decompress(pruned.archive.read_bytes()) == archived.read_bytes()


async def test_the_archive_holds_the_same_lines_as_the_export(user, tmp_path):
    session = await sync_to_async(ended_session)(user, events=30)
    export = b"".join([chunk async for chunk in jsonl_chunks([(session.id, session.last_seq)])])

    (pruned,) = await sync_to_async(prune_all)(archive_dir=tmp_path)

    assert pruned.archive.read_bytes() == export
    assert export.count(b"\n") == 32


def test_events_are_deleted_in_batches_each_its_own_transaction(user, monkeypatch):
    session = ended_session(user, events=8)  # 10 events
    batches: list[tuple[int, bool]] = []
    delete = retention._delete

    def spy(rows):
        in_transaction = connection.in_atomic_block
        count = delete(rows)
        batches.append((count, in_transaction))
        return count

    monkeypatch.setattr(retention, "_delete", spy)

    (pruned,) = prune_all(pace=retention.Pace(batch_size=3))

    assert pruned.events == 10
    assert batches == [(3, False), (3, False), (3, False), (1, False)]
    assert stored_seqs(session.id) == []


def test_other_sessions_events_are_untouched(user):
    old = ended_session(user, events=4)
    young = ended_session(user, events=4, days_ago=2)
    open_session = make_session(user)
    record_events(session_id=open_session.id, events=[Event.for_session("started", "go")])

    prune_all(pace=retention.Pace(batch_size=2))

    assert stored_seqs(old.id) == []
    assert stored_seqs(young.id) == [1, 2, 3, 4, 5, 6]
    assert stored_seqs(open_session.id) == [1]


def test_a_second_run_prunes_nothing_and_writes_no_archive(user, tmp_path):
    ended_session(user)
    assert len(prune_all(archive_dir=tmp_path)) == 1
    (archive,) = tmp_path.iterdir()
    archive.unlink()

    assert prune_all(archive_dir=tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_a_run_finishes_a_session_an_interrupted_run_marked_but_did_not_empty(user, tmp_path):
    session = ended_session(user, events=6)
    # Cut off after marking and the first batch: the session is gone, but some events are left.
    Session.objects.filter(pk=session.pk).update(pruned_at=timezone.now())
    Row.objects.filter(session=session, seq__lte=3).delete()

    (pruned,) = prune_all(archive_dir=tmp_path)

    assert pruned == retention.Pruned(session_id=session.id, events=5, archive=None)
    assert stored_seqs(session.id) == []
    assert list(tmp_path.iterdir()) == []  # its events are not whole any more: not archived


def test_an_archive_that_cannot_be_written_leaves_its_session_and_the_later_ones(user, tmp_path):
    first = ended_session(user, days_ago=50)
    blocked = ended_session(user, days_ago=40)
    later = ended_session(user, days_ago=35)
    (tmp_path / f"{blocked.id}.jsonl").mkdir()  # the archive cannot take its name

    run = retention.prune_sessions(ended_before=days_ago(30), archive_dir=tmp_path)

    assert next(run).session_id == first.id
    with pytest.raises(IsADirectoryError):
        next(run)
    for session in (blocked, later):
        assert stored_seqs(session.id) == [1, 2, 3, 4, 5, 6, 7]
        assert not Session.objects.get(pk=session.pk).is_pruned
    leftovers = {p.name for p in tmp_path.iterdir()}
    assert leftovers == {f"{first.id}.jsonl", f"{blocked.id}.jsonl"}  # no partial file


def test_the_archive_dir_is_made_and_checked(tmp_path):
    check_archive_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(NotADirectoryError):  # "file" is in the way
        check_archive_dir(tmp_path / "file" / "archive")


def test_the_plan_counts_what_would_be_pruned_and_changes_nothing(user):
    ended_session(user, events=3)
    ended_session(user, events=8)
    ended_session(user, days_ago=1)

    assert retention.plan(days_ago(30)) == retention.Plan(sessions=2, events=15)
    assert Row.objects.count() == 5 + 10 + 7


async def test_a_live_session_keeps_storing_while_another_is_pruned(user):
    # The prune (in a thread of its own, small batches) and the bus's writer share the database:
    # every live event is stored, gapless, and the old session is emptied.
    old = await sync_to_async(ended_session)(user, events=3_000)
    live = await sync_to_async(make_session)(user)
    pruning = asyncio.ensure_future(
        sync_to_async(prune_all, thread_sensitive=False)(pace=retention.Pace(batch_size=100))
    )
    with bound_session(live.id):
        sent = 0
        while not pruning.done() or sent < 50:
            await emit(Event.for_agent("supervisor", "progress", f"live {sent}"), wait=True)
            sent += 1
    (pruned,) = await pruning

    assert pruned.events == 3_002
    assert await sync_to_async(stored_seqs)(old.id) == []
    assert await sync_to_async(stored_seqs)(live.id) == list(range(1, sent + 1))


def test_sessions_are_taken_page_by_page_oldest_first_each_once(user, monkeypatch):
    monkeypatch.setattr(retention, "SESSION_PAGE", 2)
    sessions = [ended_session(user, events=1, days_ago=40 + n) for n in range(5)]
    # Three that ended at the same moment straddle a page boundary: the id breaks the tie.
    tied = {s.id for s in sessions[:3]}
    Session.objects.filter(pk__in=tied).update(ended_at=sessions[0].ended_at)

    order = [p.session_id for p in prune_all()]

    assert order[:2] == [sessions[4].id, sessions[3].id]  # the oldest first
    assert set(order[2:]) == tied
    assert len(order) == 5
    assert not Session.objects.prunable(days_ago(30)).exists()


def test_the_pace_rests_once_per_batch_of_events_across_sessions(user, tmp_path, monkeypatch):
    for _ in range(4):
        ended_session(user, events=1)  # 3 events each
    pauses: list[float] = []
    monkeypatch.setattr(retention.time, "sleep", pauses.append)

    prune_all(pace=retention.Pace(batch_size=4, pause=0.5))
    assert pauses == [0.5, 0.5]  # after every second session: 6 events deleted, at least 4

    pauses.clear()
    for _ in range(4):
        ended_session(user, events=1)
    prune_all(pace=retention.Pace(batch_size=4, pause=0.5), archive_dir=tmp_path)
    assert pauses == [0.5] * 4  # archiving counts too: 6 events archived and deleted a session
    assert Row.objects.count() == 0


def test_by_default_a_prune_rests_after_each_batch():
    pace = retention.Pace()
    assert (pace.batch_size, pace.pause) == (2_000, 0.03)
