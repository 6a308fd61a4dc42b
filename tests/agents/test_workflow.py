"""The whole workflow on the shipped sample, through the runner, deterministic and offline."""

from __future__ import annotations

import pytest

from streaming.models import Session
from streaming.runner import launch
from tests.agents.support import assert_well_formed, astored_events, wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)


async def test_sample_workflow_streams_decisions_results_and_stores_the_report(
    amake_session, user, _reports_in_tmp
):
    session = await amake_session(user, query="Map the sample workspace")
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    for e in events:
        print(e["seq"], e["t"], e["agent"], e["phase"], e["pct"], e["msg"][:100])
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
