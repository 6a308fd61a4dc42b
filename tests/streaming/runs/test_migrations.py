"""streaming/runs/migrations/0001_initial.py: the lease and cancel of existing sessions move from
the session's own columns into their `Run`, before streaming 0002 drops those columns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from streaming.runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)

#: Before the rooms: the log's first migration only, the runs app not there at all.
BEFORE_THE_ROOMS = [("streaming", "0001_initial"), ("agentstream_runs", None)]


def migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    """Migrate the test database to `targets` (None: the latest migrations); return the executor."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()  # what is applied now
    return executor


def session_columns() -> set[str]:
    with connection.cursor() as cursor:
        return {
            c.name
            for c in connection.introspection.get_table_description(cursor, "streaming_session")
        }


def test_a_sessions_lease_and_cancel_move_into_its_run(user, settings):
    settings.AGENTSTREAM_DEFAULT_WORKFLOW = "survey"
    expires = datetime.now(UTC) + timedelta(seconds=30)
    cancelled = datetime.now(UTC) - timedelta(seconds=5)
    try:
        executor = migrate(BEFORE_THE_ROOMS)
        assert {"lease_owner", "lease_expires_at", "cancel_requested_at"} <= session_columns()
        OldSession = executor.loader.project_state([("streaming", "0001_initial")]).apps.get_model(
            "streaming", "Session"
        )
        leased = OldSession.objects.create(
            owner_id=user.pk,
            query="running elsewhere",
            status="running",
            lease_owner="host:42:abcd",
            lease_expires_at=expires,
            cancel_requested_at=cancelled,
        )
        waiting = OldSession.objects.create(owner_id=user.pk, query="never launched")
    finally:
        migrate()  # forward again, whatever happened: the next tests need today's schema
    assert not {"lease_owner", "lease_expires_at", "cancel_requested_at"} & session_columns()
    run = Run.objects.get(session_id=leased.id)
    assert (run.workflow, run.lease_owner) == ("survey", "host:42:abcd")
    assert (run.lease_expires_at, run.cancel_requested_at) == (expires, cancelled)
    untouched = Run.objects.get(session_id=waiting.id)
    assert (untouched.lease_owner, untouched.lease_expires_at) == ("", None)
    assert untouched.cancel_requested_at is None
    assert Run.objects.count() == 2
