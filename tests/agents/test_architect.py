"""Workspaces full of problems: thousands of files that do not parse, files that cannot be read.

Every event's data is refused over 1 MiB, so nothing the agents put in it may grow with the
number of broken files; and no single file may fail the whole session.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from agents.architect import Parsed, parse_files
from agents.files import python_files
from agents.notes import MAX_NOTES
from agents.report import MORE
from agents.reviewer import compile_all, listed_compile_failures
from streaming import bound_session, flush
from streaming.runs.control import launch
from tests.agents.support import (
    assert_well_formed,
    astored_events,
    make_workspace,
    wait_for_status,
)

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 25  # AGENTSTREAM_REPORT_ROWS's default
#: Long names, so that the old uncapped lists went over the 1 MiB limit with 1,500 files.
LONG = "legacy_module_" + "x" * 190


def _result(events: list[dict], agent: str) -> list[dict]:
    return [e["data"] for e in events if e["agent"] == agent and e["phase"] == "result"]


async def test_thousands_of_files_that_do_not_parse_keep_every_event_small(
    amake_session, user, workspace_root
):
    count = 1500
    names = [f"{LONG}_{i:04d}.py" for i in range(count)]
    files = {name: f'print "line {i}"\n' for i, name in enumerate(names)}
    make_workspace(workspace_root, "legacy", {**files, "ok.py": "x = 1\n"})
    session = await amake_session(user, workspace="legacy")
    await launch(session.id)
    ended = await wait_for_status(session.id, within=120)
    events = await astored_events(session.id)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    assert max(len(json.dumps(e["data"])) for e in events) < 100_000

    notes = [e["msg"] for e in events if e["agent"] == "architect" and "do not parse" in e["msg"]]
    notes += [
        e["msg"] for e in events if e["agent"] == "architect" and "does not parse" in e["msg"]
    ]
    assert len(notes) == MAX_NOTES + 1
    assert f"{count - MAX_NOTES} more files do not parse (counted in the result)" in notes
    (graph,) = _result(events, "architect")
    assert graph["parse_error_count"] == count
    assert [e["path"] for e in graph["parse_errors"]] == names[:ROWS]

    first, second = _result(events, "reviewer")
    assert first["compile_failure_count"] == count
    assert [f["path"] for f in first["compile_failures"]] == names[:ROWS]
    kinds = [f["kind"] for f in first["findings"]]
    assert kinds == ["compile_failure_missing"] * ROWS + ["compile_count_wrong"]
    assert first["finding_count"] == ROWS + 1
    assert second["approved"] is True, second["findings"]
    report = _result(events, "codesmith")[-1]["report"]
    assert f"{MORE}1,500 files in all do not parse." in report
    assert f"{MORE}1,500 files in all do not compile." in report
    assert listed_compile_failures(report) == set(names[:ROWS])
    assert events[-1]["data"]["findings"] == 0


async def test_a_file_gone_since_it_was_listed_is_skipped_by_the_architect(
    amake_session, user, tmp_path
):
    root = make_workspace(
        tmp_path, "w", {"a.py": "import b\n", "b.py": "x = 1\n", "c.py": "y = 2\n"}
    )
    entries = list(python_files(root))
    (root / "b.py").unlink()  # reading it now raises FileNotFoundError, an OSError
    session = await amake_session(user)
    with bound_session(session.id):
        parsed = await asyncio.to_thread(parse_files, entries, set(), Parsed())
        await flush()
    assert sorted(parsed.modules) == ["a", "c"]
    reason = "unreadable (No such file or directory): not parsed"
    assert parsed.skipped.items == [{"path": "b.py", "reason": reason, "bytes": 6}]
    assert f"Skipped b.py: {reason}" in [e["msg"] for e in await astored_events(session.id)]


async def test_a_file_gone_since_it_was_listed_is_skipped_by_the_reviewer(
    amake_session, user, tmp_path
):
    root = make_workspace(tmp_path, "w", {"a.py": "return 1\n", "b.py": "x = 1\n", "c.py": "y\n"})
    entries = list(python_files(root))
    (root / "b.py").unlink()
    session = await amake_session(user)
    with bound_session(session.id):
        compiled = await asyncio.to_thread(compile_all, entries, keep=ROWS)
        await flush()
    assert [f["path"] for f in compiled.failures.items] == ["a.py"]
    assert compiled.compiled == 2
    reason = "unreadable (No such file or directory): not compiled"
    assert compiled.unreadable.items == [{"path": "b.py", "reason": reason, "bytes": 6}]
    assert f"Skipped b.py: {reason}" in [e["msg"] for e in await astored_events(session.id)]
