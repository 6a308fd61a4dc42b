"""The durable history: sessions and their gapless, append-only event logs.

Writes live in plain functions (`streaming.log.store` here; the rooms above add their own),
never in `save()` or signals; reads are QuerySet methods. Nothing here knows who runs a session.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models

from streaming.log.events import EventType, Phase, event_object


def new_share_token() -> str:
    """Return a fresh URL-safe share token (letters, digits, `-`, `_`)."""
    return secrets.token_urlsafe(24)


class SessionStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ENDED_STATUSES = frozenset({SessionStatus.COMPLETED, SessionStatus.FAILED, SessionStatus.CANCELLED})


class SessionQuerySet(models.QuerySet["Session"]):
    def newest_first(self) -> SessionQuerySet:
        return self.order_by("-created_at", "-id")

    def prunable(self, ended_before: datetime) -> SessionQuerySet:
        """Return the sessions retention may prune: ended before `ended_before`, not pruned yet.

        A session that has not ended (pending, running, or any status without `ended_at`) is
        never among them, however old it is.
        """
        return self.filter(
            status__in=ENDED_STATUSES, ended_at__lt=ended_before, pruned_at__isnull=True
        )


class Session(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_sessions"
    )
    query = models.TextField()
    # The folder the session works on, by name (its runner checks and resolves it).
    workspace = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.BigIntegerField(default=0)
    share_token = models.CharField(max_length=64, unique=True, default=new_share_token)
    # Set by retention (`streaming.log.retention`) when the session's events were deleted: the
    # row stays as a tombstone, so its URLs can answer "gone" rather than "not found".
    pruned_at = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="session_owner_created"),
            models.Index(fields=["status", "created_at"], name="session_status_created"),
            models.Index(fields=["-created_at"], name="session_created"),
        ]

    def __str__(self) -> str:
        return f"{self.query[:60]} ({self.status})"

    @property
    def is_ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def is_pruned(self) -> bool:
        """Return True if retention deleted this session's events (it is a tombstone)."""
        return self.pruned_at is not None


class EventQuerySet(models.QuerySet["Event"]):
    def for_session(self, session_id: uuid.UUID | str) -> EventQuerySet:
        """Return the events of one session in seq order."""
        return self.filter(session_id=session_id).order_by("seq")

    def after(self, seq: int) -> EventQuerySet:
        """Return the events with a seq greater than `seq`."""
        return self.filter(seq__gt=seq)

    def up_to(self, seq: int) -> EventQuerySet:
        return self.filter(seq__lte=seq)

    def values_for_wire(self) -> EventQuerySet:
        """Fetch only the columns an event object needs."""
        return self.only(*WIRE_FIELDS)


WIRE_FIELDS = ("session_id", "seq", "ts", "t", "agent", "phase", "msg", "pct", "data")


class Event(models.Model):
    """One stored event. Rows are an audit log: never updated, and deleted only by retention,
    with the whole log of a session that ended long enough ago (`streaming.log.retention`)."""

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    ts = models.DateTimeField()
    t = models.CharField(max_length=32, choices=[(t.value, t.value) for t in EventType])
    agent = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 null is "no agent"
    phase = models.CharField(max_length=16, choices=[(p.value, p.value) for p in Phase])
    msg = models.TextField()
    pct = models.FloatField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="event_session_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["-ts"], name="event_ts"),
            models.Index(fields=["agent", "-ts"], name="event_agent_ts"),
            models.Index(fields=["phase", "-ts"], name="event_phase_ts"),
            models.Index(fields=["t", "-ts"], name="event_t_ts"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.t}/{self.phase}: {self.msg[:60]}"

    def to_dict(self) -> dict[str, Any]:
        """Return the protocol's event object for this row (no re-validation)."""
        return event_object(
            sid=self.session_id,
            seq=self.seq,
            ts=self.ts,
            t=self.t,
            agent=self.agent,
            phase=self.phase,
            msg=self.msg,
            pct=self.pct,
            data=self.data,
        )
