"""The LangGraph workflow: a supervisor routing to four agents, each reporting back to it.

``START → supervisor → (research | architect | codesmith | reviewer) → supervisor → … → END``.
Every node is wrapped by `guarded`, which turns an unexpected exception into a `WorkflowError`
naming the agent and saying what the user can do; the runner logs the original traceback with
the session id. Nodes take the state only: the session comes from the context, bound by the runner.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any, Protocol

from langgraph.graph import END, START, StateGraph

from agents.architect import architect
from agents.codesmith import codesmith
from agents.research import research
from agents.reviewer import reviewer
from agents.state import FINISH, WorkflowState
from agents.supervisor import route, supervisor
from streaming import SessionClosed
from streaming.runs.failures import WorkflowError


class Node(Protocol):
    """A node: a callable of the state, its parameter named `state` as in LangGraph's protocol."""

    def __call__(self, state: WorkflowState) -> Any: ...


def user_message(agent: str, exc: Exception, workspace: str | None) -> str:
    """Return what the user is told when `agent` fails with `exc`."""
    if isinstance(exc, OSError):
        name = exc.filename
        if isinstance(name, str) and workspace and name.startswith(workspace):
            name = str(Path(name).relative_to(workspace))
        where = f" ({name})" if isinstance(name, str) else ""
        return (
            f"The {agent} agent could not read the workspace: {exc.strerror or 'I/O error'}"
            f"{where}. Check that the workspace's files are readable, then start a new session."
        )
    if isinstance(exc, MemoryError):
        return f"The {agent} agent ran out of memory. Try a smaller workspace."
    return (
        f"The {agent} agent stopped on an internal error. Starting a new session may succeed; "
        "if it fails again, report it with the session's id (the details are in the server log)."
    )


def guarded(agent: str, node: Node) -> Node:
    """Return `node` (sync or async) with its unexpected exceptions made user-facing."""

    def wrap(exc: Exception, state: WorkflowState) -> WorkflowError:
        if isinstance(exc, WorkflowError):
            exc.agent = exc.agent or agent
            return exc
        return WorkflowError(user_message(agent, exc, state.get("workspace")), agent=agent)

    if inspect.iscoroutinefunction(node):

        @functools.wraps(node)
        async def async_node(state: WorkflowState) -> Any:
            try:
                return await node(state)
            except SessionClosed:
                raise
            except Exception as exc:
                raise wrap(exc, state) from exc

        return async_node

    @functools.wraps(node)
    def sync_node(state: WorkflowState) -> Any:
        try:
            return node(state)
        except SessionClosed:
            raise
        except Exception as exc:
            raise wrap(exc, state) from exc

    return sync_node


def build_graph() -> Any:
    """Return the compiled workflow graph."""
    graph = StateGraph(WorkflowState)
    graph.add_node("supervisor", guarded("supervisor", supervisor))
    graph.add_node("research", guarded("research", research))
    graph.add_node("architect", guarded("architect", architect))
    graph.add_node("codesmith", guarded("codesmith", codesmith))
    graph.add_node("reviewer", guarded("reviewer", reviewer))
    graph.add_edge(START, "supervisor")
    graph.add_conditional_edges(
        "supervisor",
        route,
        {
            "research": "research",
            "architect": "architect",
            "codesmith": "codesmith",
            "reviewer": "reviewer",
            FINISH: END,
        },
    )
    for agent in ("research", "architect", "codesmith", "reviewer"):
        graph.add_edge(agent, "supervisor")
    return graph.compile()


@functools.cache
def workflow_graph() -> Any:
    """Return the compiled graph, built once per process (compiled graphs are reusable)."""
    return build_graph()
