"""Retention: prune sessions that ended long ago, archiving each as JSON Lines first.

A pruned session keeps its `Session` row as a tombstone (`pruned_at` set; `status`, `ended_at`
and `last_seq` as they were), so readers can tell "gone" from "never existed"; its events are
deleted in seq ranges of a bounded size, each range its own short transaction, and the work is
paced (`Pace`) so live sessions writing beside a prune are not kept waiting. The steps are
ordered so a crash at any point loses nothing unarchived: the archive is written and synced to
disk first, the session is marked pruned next (readers see "gone" from then on), and its events
are deleted last; the next run finishes deleting the events of a session that was marked but not
emptied. See docs/core.md, "Retention".
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from streaming.log.archives import write_archive
from streaming.log.models import Event, Session

logger = logging.getLogger(__name__)

#: Events per DELETE (and transaction), and per read while archiving. On SQLite a delete holds
#: the database's one write lock while it runs: 2,000 rows take 10 to 20 ms there.
DEFAULT_BATCH_SIZE = 2_000
#: Seconds of rest after each batch's worth of work (`Pace`), on either database. SQLite: a
#: writer kept waiting by a delete (the bus's) asks again only 20 to 25 ms later by then (its
#: busy handler backs off), so shorter gaps can miss it again and again. PostgreSQL locks only
#: the deleted rows, but the prune's reads, writes and WAL compete with live sessions' commits
#: for the same disk and cores. The figures: docs/core.md, "Retention".
DEFAULT_PAUSE = 0.03
#: Sessions looked up per query.
SESSION_PAGE = 200


@dataclass(frozen=True, slots=True)
class Pruned:
    """One session pruned: its id, the events deleted, and its archive (None: not archived)."""

    session_id: uuid.UUID
    events: int
    archive: Path | None


@dataclass(frozen=True, slots=True)
class Plan:
    """What a prune would do: the sessions it would prune and their events."""

    sessions: int
    events: int


class Pace:
    """How hard a prune leans on the database: `batch_size` events per read or DELETE (each its
    own transaction), and a rest of `pause` seconds each time another `batch_size` events were
    archived or deleted, however many sessions they came from."""

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE, pause: float = DEFAULT_PAUSE) -> None:
        self.batch_size = batch_size
        self.pause = pause
        self._since_pause = 0

    def done(self, count: int) -> None:
        """Note `count` events archived or deleted; rest if a batch's worth went since the last."""
        self._since_pause += count
        if self.pause and self._since_pause >= self.batch_size:
            self._since_pause = 0
            time.sleep(self.pause)  # throttling: other writers have the database meanwhile


def cutoff(older_than: timedelta, now: datetime | None = None) -> datetime:
    """Return the moment before which a session must have ended to be pruned."""
    return (now or timezone.now()) - older_than


def plan(ended_before: datetime) -> Plan:
    """Return how many sessions (and events) ended before `ended_before` and are not pruned."""
    totals = Session.objects.prunable(ended_before).aggregate(n=Count("id"), events=Sum("last_seq"))
    return Plan(sessions=totals["n"], events=totals["events"] or 0)


def delete_events(session_id: uuid.UUID, up_to: int, pace: Pace | None = None) -> int:
    """Delete the events of a session in seq ranges at `pace`; return how many were deleted."""
    pace = pace or Pace()
    size = pace.batch_size
    deleted = 0
    for low in range(0, up_to, size):
        count = _delete(
            Event.objects.filter(session_id=session_id, seq__gt=low, seq__lte=low + size)
        )
        pace.done(count)
        deleted += count
    # Seqs are allocated up to last_seq, so nothing lies above `up_to`; a tombstone must hold
    # no event all the same.
    while leftover := list(
        Event.objects.filter(session_id=session_id).values_list("pk", flat=True)[:size]
    ):
        count = _delete(Event.objects.filter(pk__in=leftover))
        pace.done(count)
        deleted += count
    return deleted


def _delete(rows: QuerySet[Event]) -> int:
    # Event has no dependants and no delete signals: Django deletes it with one DELETE statement.
    count, _ = rows.delete()
    return count


def prune_session(
    session_id: uuid.UUID,
    *,
    ended_before: datetime,
    archive_dir: Path | None = None,
    compress: bool = False,
    pace: Pace | None = None,
) -> Pruned | None:
    """Archive (when `archive_dir` is given), mark pruned and empty one session, if it is still
    prunable (ended before `ended_before`, not pruned); else return None and touch nothing."""
    pace = pace or Pace()
    row = Session.objects.prunable(ended_before).filter(pk=session_id).values("last_seq").first()
    if row is None:
        return None
    last_seq = int(row["last_seq"])
    archive = None
    if archive_dir is not None:
        archive, _ = write_archive(
            session_id,
            last_seq,
            archive_dir,
            compress=compress,
            page_size=pace.batch_size,
            on_page=pace.done,
        )
    marked = (
        Session.objects.prunable(ended_before)
        .filter(pk=session_id)
        .update(pruned_at=timezone.now())
    )
    if not marked:
        return None  # another prune took it meanwhile
    deleted = delete_events(session_id, last_seq, pace)
    return Pruned(session_id=session_id, events=deleted, archive=archive)


def prune_sessions(
    *,
    ended_before: datetime,
    archive_dir: Path | None = None,
    compress: bool = False,
    pace: Pace | None = None,
) -> Iterator[Pruned]:
    """Prune every session that ended before `ended_before`, oldest first, yielding each once
    it is done; first finish any session an interrupted run marked but did not empty.

    An archive that cannot be written raises (OSError) before its session is touched; the
    sessions yielded before it are pruned, the others are not.
    """
    pace = pace or Pace()  # one pace for the whole run
    for session_id, last_seq in unfinished():
        deleted = delete_events(session_id, last_seq, pace)
        yield Pruned(session_id=session_id, events=deleted, archive=None)
    candidates = Session.objects.prunable(ended_before).order_by("ended_at", "id")
    after = Q()  # keyset paging: each session is looked at once, whatever happens to it
    while page := list(candidates.filter(after).values_list("id", "ended_at")[:SESSION_PAGE]):
        last_id, last_ended = page[-1]
        after = Q(ended_at__gt=last_ended) | Q(ended_at=last_ended, id__gt=last_id)
        for session_id, _ in page:
            pruned = prune_session(
                session_id,
                ended_before=ended_before,
                archive_dir=archive_dir,
                compress=compress,
                pace=pace,
            )
            if pruned is not None:
                yield pruned


def unfinished() -> list[tuple[uuid.UUID, int]]:
    """Return (id, last_seq) of the pruned sessions that still hold events (a run was cut off)."""
    holding = Exists(Event.objects.filter(session_id=OuterRef("pk")))
    rows = Session.objects.filter(pruned_at__isnull=False).filter(holding)
    return list(rows.values_list("id", "last_seq"))
