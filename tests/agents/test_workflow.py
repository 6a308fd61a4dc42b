"""The whole workflow through the runner, deterministic and offline: real and broken workspaces,
and cancels reaching the agents."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph

from agents.files import count_files
from agents.notes import MAX_NOTES
from agents.report import MORE
from agents.reviewer import listed_compile_failures
from streaming import Event, Phase, SessionClosed, emit_sync, get_session_id
from streaming.runs.control import launch, request_cancel
from tests.conftest import make_workspace
from tests.sessions import assert_well_formed, astored_events, wait_for_event, wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)


AGENTS = ("research", "architect", "codesmith", "reviewer")
SAMPLE = Path(__file__).resolve().parents[2] / "agents" / "workspaces" / "sample"


async def run(amake_session, user, **fields) -> tuple[object, list[dict]]:
    session = await amake_session(user, **fields)
    await launch(session.id)
    ended = await wait_for_status(session.id)
    return ended, await astored_events(session.id)


def decisions(events: list[dict]) -> list[str]:
    return [e["data"]["next"] for e in events if e["phase"] == "decision"]


def results(events: list[dict], agent: str) -> list[dict]:
    return [e for e in events if e["agent"] == agent and e["phase"] == "result"]


async def test_sample_run_routes_every_agent_sends_back_once_and_stores_the_report(
    amake_session, user, report_dir
):
    ended, events = await run(amake_session, user, query="Map the sample workspace")
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    assert all(e["sid"] == str(ended.id) for e in events)
    # The supervisor decides before every agent; the reviewer sends the first draft back once.
    assert decisions(events) == [
        "research",
        "architect",
        "codesmith",
        "reviewer",
        "codesmith",
        "reviewer",
        "finish",
    ]
    for decision in (e for e in events if e["phase"] == "decision"):
        assert decision["t"] == "supervisor_event"
        assert decision["data"]["reasoning"]
        assert 0 <= decision["data"]["confidence"] <= 1
    order = [e["agent"] for e in events if e["t"] == "agent_event"]
    first_seen = list(dict.fromkeys(order))
    assert first_seen == list(AGENTS)
    first_review, second_review = results(events, "reviewer")
    assert first_review["data"]["approved"] is False
    assert [f["kind"] for f in first_review["data"]["findings"]] == ["compile_failure_missing"]
    assert first_review["data"]["findings"][0]["path"] == "scripts/migrate_v1.py"
    assert second_review["data"]["approved"] is True
    # The report is stored (in the last codesmith result) and written to the report folder.
    drafts = results(events, "codesmith")
    assert [d["data"]["draft"] for d in drafts] == [1, 2]
    report = drafts[-1]["data"]["report"]
    assert "## Files that do not compile" not in drafts[0]["data"]["report"]
    assert "`scripts/migrate_v1.py`, line 17: 'return' outside function" in report
    assert "`shopkit.cart` ⇄ `shopkit.pricing`" in report
    assert (report_dir / f"{ended.id}.md").read_text(encoding="utf-8") == report
    assert events[-1]["data"]["report_file"] == f"{ended.id}.md"
    assert events[-1]["data"]["approved"] is True


async def test_pct_is_items_done_over_items_to_do(amake_session, user):
    _ended, events = await run(amake_session, user)
    files = count_files(SAMPLE)
    research = [e for e in events if e["agent"] == "research" and e["phase"] == "progress"]
    assert [e["data"]["done"] for e in research] == list(range(1, files + 1))
    assert all(e["pct"] == e["data"]["done"] / e["data"]["total"] for e in research)
    assert {e["data"]["total"] for e in research} == {files}
    for agent in AGENTS:
        runs: list[list[float]] = [[]]
        for event in events:
            if event["agent"] != agent:
                if runs[-1]:
                    runs.append([])
                continue
            if event["phase"] == "progress":
                runs[-1].append(event["pct"])
        for pcts in filter(None, runs):
            assert pcts == sorted(pcts), agent
            assert pcts[-1] == 1.0, agent


async def test_research_and_architect_report_the_real_inventory_and_graph(amake_session, user):
    _ended, events = await run(amake_session, user)
    inventory = results(events, "research")[0]["data"]
    assert inventory["files"] == 20
    assert inventory["python_files"] == 17
    assert inventory["bytes"] == sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    languages = {row["language"]: row["files"] for row in inventory["languages"]}
    assert languages == {"Python": 17, "Markdown": 1, "CSV": 1, "TOML": 1}
    kinds = {row["kind"]: row["files"] for row in inventory["kinds"]}
    assert kinds == {"Python": 16, "tests": 1, "docs": 1, "data": 1, "configuration": 1}
    assert inventory["largest_modules"][0]["path"] == "src/shopkit_reports/summary.py"
    graph = results(events, "architect")[0]["data"]
    assert (graph["module_count"], graph["namespace_count"]) == (17, 3)
    assert graph["cycles"] == [
        {
            "size": 3,
            "modules": [
                "shopkit_reports.export",
                "shopkit_reports.formats.table",
                "shopkit_reports.summary",
            ],
        },
        {"size": 2, "modules": ["shopkit.cart", "shopkit.pricing"]},
    ]
    assert graph["import_time_cycle_count"] == 0  # each cycle closes in a function or for types
    busiest = {m["name"]: (m["fan_in"], m["fan_out"]) for m in graph["modules"]}
    assert busiest["shopkit.cart"] == (6, 2)
    assert busiest["shopkit.catalog"] == (7, 0)
    assert graph["parse_errors"] == []
    assert [p["name"] for p in graph["third_party"]] == ["tabulate", "yaml"]
    assert graph["source_roots"] == ["src"]


async def test_a_clean_workspace_is_approved_at_the_first_draft(
    amake_session, user, workspace_root
):
    make_workspace(
        workspace_root,
        "clean",
        {
            "pkg/__init__.py": "from pkg.a import f\n",
            "pkg/a.py": "import requests\nfrom . import b\n\ndef f():\n    return b.g()\n",
            "pkg/b.py": "def g():\n    return 1\n",
            "notes.txt": "hello\n",
        },
    )
    ended, events = await run(amake_session, user, workspace="clean")
    assert ended.status == "completed"
    assert decisions(events) == ["research", "architect", "codesmith", "reviewer", "finish"]
    graph = results(events, "architect")[0]["data"]
    assert graph["cycle_count"] == 0
    assert [p["name"] for p in graph["third_party"]] == ["requests"]
    assert (
        "None: the import graph has no cycles." in results(events, "codesmith")[0]["data"]["report"]
    )


async def test_two_sessions_at_once_each_get_their_own_sync_agents_events(
    amake_session, user, workspace_root
):
    """The sync agents run in LangGraph's executor threads, two sessions at a time."""
    shutil.copytree(SAMPLE, workspace_root / "sample")
    make_workspace(workspace_root, "tiny", {"only.py": "x = 1\n"})
    first = await amake_session(user, workspace="sample")
    second = await amake_session(user, workspace="tiny")
    await asyncio.gather(launch(first.id), launch(second.id))
    for session, files in ((first, 20), (second, 1)):
        assert (await wait_for_status(session.id)).status == "completed"
        events = await astored_events(session.id)
        assert_well_formed(events, "completed")
        inventory = results(events, "research")[0]["data"]
        assert (inventory["workspace"], inventory["files"]) == (session.workspace, files)
        progress = [e for e in events if e["agent"] == "research" and e["phase"] == "progress"]
        assert {e["data"]["total"] for e in progress} == {files}


async def test_oversized_files_and_symlinks_are_skipped_with_a_note(
    amake_session, user, workspace_root, settings, tmp_path
):
    settings.AGENTSTREAM_MAX_FILE_BYTES = 1000
    outside = tmp_path / "outside-secret.py"
    outside.write_text("SECRET = 'do not read'\n")
    folder = make_workspace(
        workspace_root,
        "big",
        {
            "small.py": "import big\n",
            "big.py": "x = 1\n" * 500,
            "blob.bin": b"\x00" * 5000,
        },
    )
    (folder / "link.py").symlink_to(outside)
    ended, events = await run(amake_session, user, workspace="big")
    assert ended.status == "completed"
    notes = [e["msg"] for e in events if e["msg"].startswith("Skipped ")]
    assert any("big.py (3000 bytes)" in n and "1000-byte limit" in n for n in notes)
    assert any("blob.bin (5000 bytes)" in n for n in notes)
    assert any("link.py" in n and "symbolic link" in n for n in notes)
    inventory = results(events, "research")[0]["data"]
    assert inventory["files"] == 3  # the link is not a file of the workspace
    graph = results(events, "architect")[0]["data"]
    assert [m["name"] for m in graph["modules"]] == ["small"]
    assert graph["skipped"][0]["path"] == "big.py"
    report = results(events, "codesmith")[-1]["data"]["report"]
    assert "## Skipped files" in report
    assert all("do not read" not in str(e) for e in events)


async def test_a_workspace_gone_before_the_run_fails_with_an_actionable_error(
    amake_session, user, workspace_root
):
    make_workspace(workspace_root, "doomed", {"a.py": ""})
    session = await amake_session(user, workspace="doomed")
    shutil.rmtree(workspace_root / "doomed")
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "failed"
    assert_well_formed(events, "failed")
    assert events[-2]["phase"] == "error"
    assert "does not exist" in events[-2]["msg"]
    assert "Choose another workspace" in events[-2]["msg"]


async def test_an_exception_inside_an_agent_fails_the_session_naming_the_agent(
    amake_session, user, settings, caplog
):
    settings.AGENTSTREAM_MAX_FILE_BYTES = "a lot"  # int() refuses it inside the research agent
    with caplog.at_level(logging.ERROR):
        ended, events = await run(amake_session, user)
    assert ended.status == "failed"
    assert_well_formed(events, "failed")
    error = events[-2]
    assert (error["t"], error["agent"], error["phase"]) == ("agent_event", "research", "error")
    assert "internal error" in error["msg"]
    assert "a lot" not in error["msg"]
    assert "Traceback" not in error["msg"]
    assert decisions(events) == ["research"]
    record = next(r for r in caplog.records if str(ended.id) in r.getMessage())
    assert record.exc_info is not None


async def test_codesmith_custom_stream_events_keep_their_order_before_the_next_decision(
    amake_session, user
):
    """Chunks written with LangGraph's `get_stream_writer()` become events, in written order,
    all stored before the next step's first event (docs/agents.md, "Ordering")."""
    _ended, events = await run(amake_session, user)
    checked = 0
    for index, event in enumerate(events):
        if event["phase"] == "decision" and event["data"]["next"] == "codesmith":
            checked += 1
            block = []
            for later in events[index + 1 :]:
                if later["agent"] != "codesmith":
                    break
                block.append(later)
            phases = [e["phase"] for e in block]
            assert phases == ["think", *["progress"] * 11, "result"]
            pcts = [e["pct"] for e in block if e["phase"] == "progress"]
            assert pcts == sorted(pcts)
            assert pcts[-1] == 1.0
            follower = events[index + 1 + len(block)]
            assert (follower["agent"], follower["phase"]) == ("supervisor", "think")
    assert checked == 2  # the draft and its revision (the sample is sent back once)


async def test_a_session_naming_a_workspace_outside_the_root_fails_before_any_agent(
    amake_session, user, workspace_root, tmp_path
):
    (tmp_path / "elsewhere").mkdir()
    (workspace_root / "escape").symlink_to(tmp_path / "elsewhere")
    for name in ("../elsewhere", str(tmp_path / "elsewhere"), "escape", "missing"):
        ended, events = await run(amake_session, user, workspace=name)
        assert ended.status == "failed", name
        assert [e["phase"] for e in events] == ["started", "error", "failed"], name
        assert "Choose another workspace" in events[1]["msg"]


async def test_a_report_folder_that_cannot_be_written_still_completes_the_session(
    amake_session, user, settings, tmp_path, caplog
):
    """The work is done and the report is stored in the events: a failed file write is logged
    and said in the `completed` event, not a failed session."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the report folder should be\n")
    settings.AGENTSTREAM_REPORT_DIR = str(blocker / "reports")
    with caplog.at_level(logging.WARNING, logger="agents.workflow"):
        ended, events = await run(amake_session, user)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    done = events[-1]["data"]
    assert done["report_file"] is None
    assert "AGENTSTREAM_REPORT_DIR" in done["report_file_error"]
    assert str(tmp_path) not in done["report_file_error"]  # no server path reaches a client
    assert results(events, "codesmith")[-1]["data"]["report"].startswith("# Workspace report")
    assert any(str(ended.id) in r.getMessage() and r.exc_info for r in caplog.records)


ROWS = 25  # AGENTSTREAM_REPORT_ROWS's default


#: Long names, so that the old uncapped lists went over the 1 MiB limit with 1,500 files.
LONG = "legacy_module_" + "x" * 190


def _result(events: list[dict], agent: str) -> list[dict]:
    return [e["data"] for e in events if e["agent"] == agent and e["phase"] == "result"]


async def test_thousands_of_broken_files_keep_every_event_small_and_are_listed_once(
    amake_session, user, workspace_root
):
    """750 files of Python 2 (they do not parse) and 750 with a `return` at module level (they
    parse, but do not compile): each is reported once, in its own section, with its line."""
    count = 750
    unparsable = [f"{LONG}_p{i:04d}.py" for i in range(count)]
    uncompilable = [f"{LONG}_q{i:04d}.py" for i in range(count)]
    files = {name: f'x = 1\nprint "line {i}"\n' for i, name in enumerate(unparsable)}
    files |= {name: f"x = {i}\nreturn x\n" for i, name in enumerate(uncompilable)}
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
    assert [(e["path"], e["line"]) for e in graph["parse_errors"]] == [
        (name, 2) for name in unparsable[:ROWS]
    ]

    first, second = _result(events, "reviewer")
    assert first["compile_failure_count"] == count
    assert [(f["path"], f["line"]) for f in first["compile_failures"]] == [
        (name, 2) for name in uncompilable[:ROWS]
    ]
    kinds = [f["kind"] for f in first["findings"]]
    assert kinds == ["compile_failure_missing"] * ROWS + ["compile_count_wrong"]
    assert first["finding_count"] == ROWS + 1
    assert second["approved"] is True, second["findings"]
    report = _result(events, "codesmith")[-1]["report"]
    assert f"{MORE}750 files in all do not parse." in report
    assert f"{MORE}750 files in all do not compile." in report
    assert listed_compile_failures(report) == set(uncompilable[:ROWS])
    assert "line 0" not in report
    assert events[-1]["data"]["findings"] == 0


STOPPED: dict[uuid.UUID, threading.Event] = {}


class _State(TypedDict, total=False):
    steps: int


def busy_sync_node(state: _State) -> _State:
    """A plain sync node (LangGraph runs it in its executor): works and emits until refused."""
    session_id = get_session_id()
    assert session_id is not None
    try:
        for step in range(1_000_000):
            sum(range(2_000))  # some CPU work between emits
            emit_sync(Event.for_agent("architect", Phase.PROGRESS, f"step {step}"))
            time.sleep(0.005)  # an agent at work between emits, not a wait for anything
    except SessionClosed:
        STOPPED[session_id].set()
        raise
    return {"steps": step}


async def sync_node_graph_workflow(session) -> None:
    STOPPED[session.id] = threading.Event()
    graph = StateGraph(_State)
    graph.add_node("busy", busy_sync_node)
    graph.add_edge(START, "busy")
    graph.add_edge("busy", END)
    async for _ in graph.compile().astream({}, stream_mode=["updates", "custom"]):
        pass


async def test_cancel_stops_a_sync_langgraph_node_at_its_next_emit(amake_session, user, settings):
    settings.AGENTSTREAM_WORKFLOWS = {"survey": f"{__name__}.sync_node_graph_workflow"}
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_event(session.id, lambda e: e["msg"] == "step 5")
    await request_cancel(session.id)
    assert (await wait_for_status(session.id, within=5)).status == "cancelled"
    assert await asyncio.to_thread(STOPPED[session.id].wait, 5), "the sync node kept working"
    events = await astored_events(session.id)
    assert_well_formed(events, "cancelled")


async def test_cancel_during_research_ends_the_real_workflow_cancelled(
    amake_session, user, workspace_root
):
    make_workspace(
        workspace_root,
        "many",
        {f"pkg{i // 100}/mod{i}.py": f"import os\nX = {i}\n" * 20 for i in range(3000)},
    )
    session = await amake_session(user, workspace="many")
    await launch(session.id)
    await wait_for_event(
        session.id, lambda e: e["agent"] == "research" and e["phase"] == "progress"
    )
    await request_cancel(session.id)
    assert (await wait_for_status(session.id, within=5)).status == "cancelled"
    events = await astored_events(session.id)
    assert_well_formed(events, "cancelled")
    assert not [e for e in events if e["agent"] == "research" and e["phase"] == "result"]
