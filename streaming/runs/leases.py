"""The run queue and the runners' leases, in the database (sync functions: call them through
`database_sync_to_async`).

The database is the queue: a pending session is claimed with one conditional UPDATE (pending →
running), so two processes never both run it. Worker processes claim the oldest unreserved
pending sessions under ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
transaction is IMMEDIATE (project/env.py), which takes the write lock at BEGIN and so serialises
claimers. A process holds a lease on every session it runs (or, inline, has queued): its owner id
and an expiry on the session's `Run`, pushed forward while alive. Terminal statuses are never set
here: the bus sets them with the terminal event.
"""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q

from streaming.log.models import Session, SessionStatus
from streaming.runs.conf import conf
from streaming.runs.models import Run


def new_owner_id() -> str:
    """Return an id for one runner: host, process and a random part (unique per runner)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


def now() -> datetime:
    return datetime.now(UTC)


def deadline() -> datetime:
    """Return when a lease taken or renewed now expires."""
    return now() + timedelta(seconds=float(conf.LEASE_SECONDS))


def _pending(session_id: uuid.UUID) -> Q:
    return Q(
        session_id=session_id,
        session__status=SessionStatus.PENDING,
        session__ended_at__isnull=True,
    )


def reserve(*, session_id: uuid.UUID, owner: str) -> bool:
    """Mark a pending session as queued by `owner` (inline mode); False if it is not pending."""
    return bool(
        Run.objects.filter(_pending(session_id)).update(
            lease_owner=owner, lease_expires_at=deadline()
        )
    )


def claim(*, session_id: uuid.UUID, owner: str) -> Run | None:
    """Move one pending session to running under `owner`; return its run, or None if it is not
    pending."""
    with transaction.atomic():
        started = Session.objects.filter(
            id=session_id, status=SessionStatus.PENDING, ended_at__isnull=True
        ).update(status=SessionStatus.RUNNING, started_at=now())
        if not started:
            return None
        Run.objects.filter(session_id=session_id).update(
            lease_owner=owner, lease_expires_at=deadline()
        )
    return Run.objects.select_related("session").filter(session_id=session_id).first()


def claim_pending(*, owner: str, limit: int) -> list[Run]:
    """Claim up to `limit` of the oldest unreserved pending sessions for `owner` (worker mode)."""
    if limit <= 0:
        return []
    claimed: list[uuid.UUID] = []
    with transaction.atomic():
        candidates = list(
            Run.objects.unreserved_pending()
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("session_id", flat=True)[:limit]
        )
        for session_id in candidates:
            if claim(session_id=session_id, owner=owner) is not None:
                claimed.append(session_id)
    by_id = Run.objects.select_related("session").in_bulk(claimed)
    return [by_id[session_id] for session_id in claimed]


def has_pending() -> bool:
    """Return True if an unreserved pending session waits for a worker."""
    return Run.objects.unreserved_pending().exists()


def renew(*, owner: str) -> int:
    """Push forward the lease of every open session `owner` holds; return how many."""
    return Run.objects.held_by(owner).update(lease_expires_at=deadline())


def cancels_for(*, owner: str) -> list[uuid.UUID]:
    """Return the open sessions `owner` holds whose cancel was requested."""
    return list(
        Run.objects.held_by(owner)
        .filter(cancel_requested_at__isnull=False)
        .values_list("session_id", flat=True)
    )


def record_cancel(*, session_id: uuid.UUID) -> Run | None:
    """Record a cancel request (the first one's time is kept); return the run, or None."""
    Run.objects.open().filter(session_id=session_id, cancel_requested_at__isnull=True).update(
        cancel_requested_at=now()
    )
    return Run.objects.select_related("session").filter(session_id=session_id).first()


@dataclass(frozen=True)
class Expired:
    """A session taken over by a sweeper from a runner whose lease ran out."""

    session_id: uuid.UUID
    previous_owner: str
    expired_at: datetime
    was_pending: bool
    last_seq: int


def take_expired(*, owner: str, limit: int = 100) -> list[Expired]:
    """Take over open sessions whose runner's lease expired, so `owner` can end them.

    Running sessions, and pending ones queued by an inline runner (`lease_owner` set), whose
    `lease_expires_at` is in the past. Each is taken with a conditional UPDATE, so two sweepers
    never both end one, and a session whose lease a live runner renewed is left alone.
    """
    moment = now()
    stale = (
        Run.objects.open()
        .filter(lease_expires_at__lt=moment)
        .filter(
            Q(session__status=SessionStatus.RUNNING)
            | (Q(session__status=SessionStatus.PENDING) & ~Q(lease_owner=""))
        )
        .select_related("session")
    )
    taken = []
    for run in stale.order_by("lease_expires_at")[:limit]:
        session = run.session
        with transaction.atomic():
            updated = Run.objects.filter(
                session_id=session.id,
                session__ended_at__isnull=True,
                lease_expires_at=run.lease_expires_at,
            ).update(lease_owner=owner, lease_expires_at=deadline())
            if not updated:
                continue
            Session.objects.filter(id=session.id, ended_at__isnull=True).update(
                status=SessionStatus.RUNNING, started_at=session.started_at or moment
            )
        expired_at = run.lease_expires_at
        assert expired_at is not None  # the query compared it with `moment`: never NULL here
        taken.append(
            Expired(
                session_id=session.id,
                previous_owner=run.lease_owner,
                expired_at=expired_at,
                was_pending=session.status == SessionStatus.PENDING,
                last_seq=session.last_seq,
            )
        )
    return taken
