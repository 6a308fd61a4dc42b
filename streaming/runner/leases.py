"""The run queue and the runners' leases, in the database (sync functions: call them through
`database_sync_to_async`).

The database is the queue: a pending session is claimed with one conditional UPDATE (pending →
running), so two processes never both run it. Worker processes claim the oldest unreserved
pending sessions under ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
transaction is IMMEDIATE (project/env.py), which takes the write lock at BEGIN and so serialises
claimers. A process holds a lease on every session it runs (or, inline, has queued): its owner id
and an expiry it pushes forward while alive. Terminal statuses are never set here: the bus sets
them with the terminal event.
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

from streaming.conf import app_settings
from streaming.models import Session, SessionStatus


def new_owner_id() -> str:
    """Return an id for one runner: host, process and a random part (unique per runner)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


def now() -> datetime:
    return datetime.now(UTC)


def deadline() -> datetime:
    """Return when a lease taken or renewed now expires."""
    return now() + timedelta(seconds=float(app_settings.LEASE_SECONDS))


def reserve(*, session_id: uuid.UUID, owner: str) -> bool:
    """Mark a pending session as queued by `owner` (inline mode); False if it is not pending."""
    return bool(
        Session.objects.filter(
            id=session_id, status=SessionStatus.PENDING, ended_at__isnull=True
        ).update(lease_owner=owner, lease_expires_at=deadline())
    )


def claim(*, session_id: uuid.UUID, owner: str) -> Session | None:
    """Move one pending session to running under `owner`; return it, or None if not pending."""
    started = now()
    claimed = Session.objects.filter(
        id=session_id, status=SessionStatus.PENDING, ended_at__isnull=True
    ).update(
        status=SessionStatus.RUNNING,
        started_at=started,
        lease_owner=owner,
        lease_expires_at=deadline(),
    )
    return Session.objects.get(id=session_id) if claimed else None


def claim_pending(*, owner: str, limit: int) -> list[Session]:
    """Claim up to `limit` of the oldest unreserved pending sessions for `owner` (worker mode)."""
    if limit <= 0:
        return []
    claimed: list[uuid.UUID] = []
    with transaction.atomic():
        candidates = list(
            Session.objects.pending()
            .filter(ended_at__isnull=True, lease_owner="")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        for session_id in candidates:
            if claim(session_id=session_id, owner=owner) is not None:
                claimed.append(session_id)
    by_id = Session.objects.in_bulk(claimed)
    return [by_id[session_id] for session_id in claimed]


def has_pending() -> bool:
    """Return True if an unreserved pending session waits for a worker."""
    return Session.objects.pending().filter(ended_at__isnull=True, lease_owner="").exists()


def renew(*, owner: str) -> int:
    """Push forward the lease of every open session `owner` holds; return how many."""
    return Session.objects.filter(lease_owner=owner, ended_at__isnull=True).update(
        lease_expires_at=deadline()
    )


def cancels_for(*, owner: str) -> list[uuid.UUID]:
    """Return the open sessions `owner` holds whose cancel was requested."""
    return list(
        Session.objects.filter(
            lease_owner=owner, ended_at__isnull=True, cancel_requested_at__isnull=False
        ).values_list("id", flat=True)
    )


def record_cancel(*, session_id: uuid.UUID) -> Session | None:
    """Record a cancel request (the first one's time is kept); return the session, or None."""
    Session.objects.filter(
        id=session_id, ended_at__isnull=True, cancel_requested_at__isnull=True
    ).update(cancel_requested_at=now())
    return Session.objects.filter(id=session_id).first()


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
    stale = Session.objects.filter(ended_at__isnull=True, lease_expires_at__lt=moment).filter(
        Q(status=SessionStatus.RUNNING) | (Q(status=SessionStatus.PENDING) & ~Q(lease_owner=""))
    )
    taken = []
    for row in stale.order_by("lease_expires_at")[:limit]:
        updated = Session.objects.filter(
            id=row.id, ended_at__isnull=True, lease_expires_at=row.lease_expires_at
        ).update(
            status=SessionStatus.RUNNING,
            started_at=row.started_at or moment,
            lease_owner=owner,
            lease_expires_at=deadline(),
        )
        if updated:
            taken.append(
                Expired(
                    session_id=row.id,
                    previous_owner=row.lease_owner,
                    expired_at=row.lease_expires_at,  # type: ignore[arg-type]
                    was_pending=row.status == SessionStatus.PENDING,
                    last_seq=row.last_seq,
                )
            )
    return taken
