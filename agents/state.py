"""The state the LangGraph workflow carries from node to node.

Each node returns only the keys it changes; LangGraph merges them. Values are plain JSON-able
data (dicts, lists, strings, numbers) so any of them can travel in an event's `data`.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

AgentName = Literal["research", "architect", "codesmith", "reviewer"]
Route = Literal["research", "architect", "codesmith", "reviewer", "finish"]
AGENTS: tuple[AgentName, ...] = ("research", "architect", "codesmith", "reviewer")
FINISH: Literal["finish"] = "finish"


class WorkflowState(TypedDict, total=False):
    """What the supervisor and the agents know about one session's job."""

    query: str
    question: dict[str, Any]  # supervisor: the question it understood (kind, subject, wording)
    workspace: str  # absolute path of the resolved workspace folder
    workspace_name: str
    next: Route  # the supervisor's latest routing decision
    steps: int  # supervisor decisions so far
    inventory: dict[str, Any]  # research: files, languages, sizes, largest modules
    graph: dict[str, Any]  # architect: modules, fan-in/fan-out, cycles, external imports
    report: str  # codesmith: the Markdown report
    report_version: int  # 1 for the first draft, 2 after one revision
    report_summary: dict[str, Any]  # codesmith: what the report contains, for the reviewer
    answer_calls: list[dict[str, Any]]  # codesmith: the model's tool calls, for the reviewer
    review: dict[str, Any]  # reviewer: approved, findings, compile results, reviewed version
