"""The survey's entry point, which the runner calls (declared in `agents.survey`).

The runner binds the session, emits `started`, awaits `run_workflow(session)` and emits the
terminal event. Here the graph is driven with ``astream(stream_mode=["updates", "custom"])``:
updates carry the state, and each custom chunk a node writes with LangGraph's
`get_stream_writer()` becomes an event. The final report is written to
``<AGENTSTREAM_REPORT_DIR>/<session id>.md``; if that fails, the session still completes (the
report is stored in codesmith's last `result` event) and the `completed` event says why the file
is missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agents.conf import conf
from agents.graph import workflow_graph
from agents.state import WorkflowState
from streaming import Event, InvalidEvent, emit
from streaming.runs.exceptions import BadWorkspace
from streaming.runs.failures import WorkflowError
from streaming.runs.workspaces import resolve_workspace

logger = logging.getLogger(__name__)


def custom_event(chunk: Any) -> Event:
    """Return the event a node's custom stream chunk stands for.

    A chunk is a mapping with `agent`, `phase` and `msg`, and optionally `pct` and `data`, as
    `Event.for_agent` takes them; anything else raises `InvalidEvent`.
    """
    if not isinstance(chunk, Mapping):
        raise InvalidEvent(f"a custom stream chunk must be a mapping, not {type(chunk).__name__}")
    try:
        return Event.for_agent(
            chunk["agent"],
            chunk["phase"],
            chunk["msg"],
            pct=chunk.get("pct"),
            data=chunk.get("data") or {},
        )
    except KeyError as exc:
        raise InvalidEvent(f"a custom stream chunk needs the key {exc}") from exc


async def drive(state: WorkflowState) -> WorkflowState:
    """Run the graph from `state` to its end and return the final state."""
    final = state.copy()
    config = {"recursion_limit": int(conf.MAX_STEPS)}
    graph = await asyncio.to_thread(workflow_graph)  # built once per process, off the loop
    async for mode, chunk in graph.astream(state, config, stream_mode=["updates", "custom"]):
        if mode == "custom":
            try:
                event = custom_event(chunk)
            except InvalidEvent as exc:
                logger.warning("dropped a custom stream chunk: %s", exc)
                continue
            await emit(event)
        else:
            for update in chunk.values():
                if update:
                    final.update(update)
    return final


def write_report(session_id: object, text: str) -> Path:
    """Write the report to the report folder and return its path (raises OSError)."""
    folder = conf.REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{session_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


async def save_report(session_id: object, text: str) -> dict[str, Any]:
    """Write the report file; return the `completed` data naming it, or saying why it is not
    there (logged with the session id; the report itself is stored in the events)."""
    try:
        path = await asyncio.to_thread(write_report, session_id, text)
    except OSError as exc:
        logger.warning(
            "session %s: the report file could not be written", session_id, exc_info=True
        )
        return {
            "report_file": None,
            "report_file_error": (
                f"The report could not be written to the report folder "
                f"(AGENTSTREAM_REPORT_DIR): {exc.strerror or 'I/O error'}. It is stored in "
                "the session: the codesmith's last result holds it."
            ),
        }
    return {"report_file": path.name}


async def run_workflow(session: Any) -> dict[str, Any]:
    """Run the agents on the session's workspace; return the `completed` event's data."""
    try:
        workspace = await asyncio.to_thread(resolve_workspace, session.workspace)
    except BadWorkspace as exc:
        raise WorkflowError(f"{exc}. Choose another workspace and start a new session.") from exc
    state: WorkflowState = {
        "query": session.query,
        "workspace": str(workspace),
        "workspace_name": workspace.name,
    }
    final = await drive(state)
    saved = await save_report(session.id, final.get("report", ""))
    review = final.get("review", {})
    return {
        **saved,
        "approved": bool(review.get("approved")),
        "drafts": final.get("report_version", 0),
        "findings": review.get("finding_count", 0),
    }
