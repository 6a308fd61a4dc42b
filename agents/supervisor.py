"""The supervisor: decides which agent runs next and says why, as a `decision` event.

On its first step it reads the question (`agents.questions.understand`) and records it in the
state; every decision's data carries it (``data.question``: kind, subject, the understood
wording), the first decision's reasoning states it, and the decision that hands the work to
codesmith names the module the subject turned out to be. The plan is fixed by what each agent
needs: research before architect before codesmith, the reviewer after each draft, and one
revision if the review fails. `legal_moves` gives the choices that plan allows at each point; the
deterministic path takes the first, a language model (when `AGENTSTREAM_LLM` is set) chooses
among them and gives its own reasoning and confidence. A model answer that is not one of the
legal moves is overruled, and the decision says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from agents import llm
from agents.import_graph import ImportGraph
from agents.markup import code
from agents.questions import Question, recorded, understand
from agents.state import FINISH, Route, WorkflowState
from agents.wording import count, listing
from streaming import Event, Phase, emit

logger = logging.getLogger(__name__)
MAX_REVISIONS = 1

SYSTEM_PROMPT = (
    "You are the supervisor of a team that reports on a software workspace: research takes an "
    "inventory, architect maps the Python imports, codesmith writes the report, reviewer checks "
    "it. Choose the next step from the options given. Answer with one JSON object only: "
    '{"next": <one of the options>, "reasoning": <one sentence>, "confidence": <0 to 1>}.'
)


@dataclass(frozen=True)
class Decision:
    next: Route
    reasoning: str
    confidence: float


def subject_found(question: Question, graph: dict[str, Any]) -> str:
    """Return what the question's subject turned out to be in the graph, as a sentence."""
    if not question.subject or question.kind not in {"dependents", "dependencies", "cycles"}:
        return ""
    matches = ImportGraph(graph).find(question.subject)
    if not matches:
        return f" No module matches {code(question.subject)}; the answer says so."
    if len(matches) == 1:
        if matches[0] == question.subject:
            return ""
        return f" {code(question.subject)} is the module {code(matches[0])}."
    names = listing([code(m) for m in matches[:5]], len(matches))
    return f" {code(question.subject)} matches {count(len(matches), 'module')}: {names}."


def legal_moves(state: WorkflowState) -> list[Decision]:
    """Return the moves the plan allows now, the one it recommends first."""
    inventory, graph = state.get("inventory"), state.get("graph")
    question = recorded(state.get("query", ""), state.get("question"))
    if inventory is None:
        return [
            Decision(
                "research",
                f"Question understood as: {question.understood()}. Nothing is known about the "
                "workspace yet.",
                1.0,
            )
        ]
    if graph is None:
        return [
            Decision(
                "architect",
                f"The inventory lists {count(inventory['python_files'], 'Python file')}; their "
                "imports are not mapped yet.",
                1.0,
            )
        ]
    version = state.get("report_version", 0)
    if not version:
        return [
            Decision(
                "codesmith",
                f"Inventory and import graph are ready to answer {question.understood()}."
                + subject_found(question, graph),
                1.0,
            )
        ]
    review = state.get("review")
    if review is None or review.get("version") != version:
        return [Decision("reviewer", f"Draft {version} of the report has not been checked.", 1.0)]
    if review["approved"]:
        return [Decision(FINISH, "The reviewer approved the report.", 0.95)]
    problems = count(review["finding_count"], "problem")
    if version - 1 < MAX_REVISIONS:
        return [
            Decision(
                "codesmith",
                f"The reviewer found {problems} in draft {version}; sending the report back once.",
                0.9,
            ),
            Decision(FINISH, "Accept the draft despite the review.", 0.4),
        ]
    remaining = count(review["finding_count"], "review finding")
    return [
        Decision(
            FINISH,
            f"The report was already revised once; {remaining} remain and are listed in the "
            "review.",
            0.5,
        )
    ]


async def decide(state: WorkflowState) -> Decision:
    """Return the next move: the plan's, or the model's choice among the legal ones."""
    moves = legal_moves(state)
    model = await llm.get_model()
    if model is None:
        return moves[0]
    understood = recorded(state.get("query", ""), state.get("question"))
    options = [move.next for move in moves]
    summary = {
        "query": state.get("query", ""),
        "understood_as": understood.understood(),
        "options": options,
        "done": [k for k in ("inventory", "graph", "report", "review") if k in state],
        "report_version": state.get("report_version", 0),
        "review_findings": [f["detail"] for f in state.get("review", {}).get("findings", [])][:10],
    }
    answer = llm.json_object(await llm.ask(model, SYSTEM_PROMPT, json.dumps(summary)))
    if answer is None or answer.get("next") not in options:
        logger.warning("supervisor: the model's answer is not one of %s: %r", options, answer)
        fallback = moves[0]
        return Decision(
            fallback.next,
            f"{fallback.reasoning} (The model's answer was not one of {', '.join(options)}.)",
            fallback.confidence,
        )
    confidence = answer.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        confidence = 0.5
    reasoning = str(answer.get("reasoning") or "The model gave no reasoning.")
    if "inventory" not in state:  # the first decision states the question it understood
        reasoning = f"Question understood as: {understood.understood()}. {reasoning}"
    return Decision(answer["next"], reasoning[:2000], min(max(float(confidence), 0.0), 1.0))


async def supervisor(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: emit the routing decision and record it in the state."""
    steps = state.get("steps", 0) + 1
    await emit(Event.for_supervisor(Phase.THINK, f"Step {steps}: deciding what runs next"))
    question = state.get("question") or understand(state.get("query", "")).as_data()
    state = {**state, "question": question}
    decision = await decide(state)
    data = {
        "next": decision.next,
        "reasoning": decision.reasoning,
        "confidence": decision.confidence,
        "question": question,
    }
    msg = f"Next: {decision.next}" if decision.next != FINISH else "Finish"
    await emit(Event.for_supervisor(Phase.DECISION, msg, data=data))
    return {"next": decision.next, "steps": steps, "question": question}


def route(state: WorkflowState) -> Route:
    """LangGraph conditional edge: follow the supervisor's decision."""
    return state["next"]
