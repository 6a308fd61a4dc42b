"""A session's run: which workflow it runs, who holds it, and whether a cancel was asked for.

The log's `Session` knows only what happened (its status, its events); everything about running
it lives here, one row per session, keyed by the session. Writes are plain functions
(`streaming.runs.leases`, `streaming.runs.sessions`); the lease columns are read only together
with the session being open (``session__ended_at__isnull=True``), so a lease left on an ended
session means nothing and is never cleared.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from streaming.log.models import Session, SessionStatus


class RunQuerySet(models.QuerySet["Run"]):
    def open(self) -> RunQuerySet:
        """Return the runs of sessions that have not stored their terminal event."""
        return self.filter(session__ended_at__isnull=True)

    def held_by(self, owner: str) -> RunQuerySet:
        """Return the open runs whose lease `owner` holds."""
        return self.open().filter(lease_owner=owner)

    def unreserved_pending(self) -> RunQuerySet:
        """Return the runs of pending sessions no runner has reserved, oldest first."""
        return (
            self.open()
            .filter(session__status=SessionStatus.PENDING, lease_owner="")
            .order_by("session__created_at", "session_id")
        )


class Run(models.Model):
    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="run"
    )
    #: The registered name of the workflow the session runs (``AGENTSTREAM_WORKFLOWS``).
    workflow = models.CharField(max_length=64)
    #: The runner's lease: which process runs (or, inline, has queued) the session, and until
    #: when it is presumed alive.
    lease_owner = models.CharField(max_length=128, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["lease_expires_at"], name="run_lease", condition=~Q(lease_owner="")
            ),
            models.Index(fields=["lease_owner"], name="run_owner", condition=~Q(lease_owner="")),
        ]

    def __str__(self) -> str:
        return f"{self.workflow} run of {self.session_id}"
