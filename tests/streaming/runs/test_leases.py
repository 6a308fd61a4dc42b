"""The run queue's claims: concurrent claimers skip locked rows and never share a session."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from streaming.runs import leases
from streaming.runs.models import Run
from tests.conftest import make_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_fresh_runner")]


@pytest.mark.postgres
def test_claimers_skip_locked_rows_and_never_share_a_session(on_postgres, user):
    ids = {make_session(user, query=f"q{i}").id for i in range(20)}
    claimed: dict[str, list[uuid.UUID]] = {}
    barrier = threading.Barrier(4)

    def claimer(name: str) -> None:
        barrier.wait()
        mine: list[uuid.UUID] = []
        try:
            while batch := leases.claim_pending(owner=name, limit=3):
                mine.extend(run.session_id for run in batch)
        finally:
            connection.close()
        claimed[name] = mine

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    everything = [sid for mine in claimed.values() for sid in mine]
    assert sorted(everything) == sorted(ids)  # each claimed once, none left over
    for name, mine in claimed.items():
        owners = set(Run.objects.filter(session_id__in=mine).values_list("lease_owner", flat=True))
        assert owners <= {name}
