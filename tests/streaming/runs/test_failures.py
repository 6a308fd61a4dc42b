"""A failed workflow ends its session `failed`, with a message for its user and no traceback."""

from __future__ import annotations

import logging

import pytest

from streaming.runs.control import launch
from tests.sessions import assert_well_formed, astored_events, wait_for_status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_open_gates")]


async def test_an_exception_fails_the_session_with_an_error_event_and_no_traceback(
    workflow, amake_session, user, caplog
):
    workflow("failing_workflow")
    session = await amake_session(user)
    with caplog.at_level(logging.ERROR, logger="streaming.runs"):
        await launch(session.id)
        ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "failed"
    assert_well_formed(events, "failed")
    error = events[-2]
    assert (error["t"], error["phase"]) == ("supervisor_event", "error")
    assert str(session.id) in error["msg"]
    assert "server log" in error["msg"]
    for event in events:
        assert "secret internal detail" not in event["msg"]
        assert "Traceback" not in event["msg"]
        assert "secret" not in str(event["data"])
    logged = [r for r in caplog.records if str(session.id) in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert "secret internal detail" in str(logged[0].exc_info[1])


async def test_a_workflow_error_reaches_the_user_as_written_from_its_agent(
    workflow, amake_session, user
):
    workflow("user_error_workflow")
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_status(session.id, "failed")
    events = await astored_events(session.id)
    assert_well_formed(events, "failed")
    assert events[-2]["agent"] == "research"
    assert events[-2]["phase"] == "error"
    assert events[-2]["msg"] == "The workspace is empty; add files and start again."
    assert events[-1]["msg"].endswith("The workspace is empty; add files and start again.")
