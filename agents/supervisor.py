"""The supervisor: decides which agent runs next and says why, as a `decision` event.

The plan is fixed by what each agent needs: research before architect before codesmith, the
reviewer after each draft, and one revision if the review fails. `legal_moves` gives the choices
that plan allows at each point; the deterministic path takes the first, a language model (when
`AGENTSTREAM_LLM` is set) chooses among them and gives its own reasoning and confidence. A model
answer that is not one of the legal moves is overruled, and the decision says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from agents import llm
from agents.state import FINISH, Route, WorkflowState
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


def legal_moves(state: WorkflowState) -> list[Decision]:
    """Return the moves the plan allows now, the one it recommends first."""
    inventory, graph = state.get("inventory"), state.get("graph")
    if inventory is None:
        return [Decision("research", "Nothing is known about the workspace yet.", 1.0)]
    if graph is None:
        return [
            Decision(
                "architect",
                f"The inventory lists {inventory['python_files']} Python files; their imports "
                "are not mapped yet.",
                1.0,
            )
        ]
    version = state.get("report_version", 0)
    if not version:
        return [Decision("codesmith", "Inventory and import graph are ready for a report.", 1.0)]
    review = state.get("review")
    if review is None or review.get("version") != version:
        return [Decision("reviewer", f"Draft {version} of the report has not been checked.", 1.0)]
    if review["approved"]:
        return [Decision(FINISH, "The reviewer approved the report.", 0.95)]
    problems = review["finding_count"]
    if version - 1 < MAX_REVISIONS:
        return [
            Decision(
                "codesmith",
                f"The reviewer found {problems} problem{'s' if problems != 1 else ''} in "
                f"draft {version}; "
                "sending the report back once.",
                0.9,
            ),
            Decision(FINISH, "Accept the draft despite the review.", 0.4),
        ]
    return [
        Decision(
            FINISH,
            f"The report was already revised once; {problems} review findings remain and are "
            "listed in the review.",
            0.5,
        )
    ]


async def decide(state: WorkflowState) -> Decision:
    """Return the next move: the plan's, or the model's choice among the legal ones."""
    moves = legal_moves(state)
    model = await llm.get_model()
    if model is None:
        return moves[0]
    options = [move.next for move in moves]
    summary = {
        "query": state.get("query", ""),
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
    return Decision(answer["next"], reasoning[:2000], min(max(float(confidence), 0.0), 1.0))


async def supervisor(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: emit the routing decision and record it in the state."""
    steps = state.get("steps", 0) + 1
    await emit(Event.for_supervisor(Phase.THINK, f"Step {steps}: deciding what runs next"))
    decision = await decide(state)
    await emit(
        Event.decision(
            next=decision.next,
            reasoning=decision.reasoning,
            confidence=decision.confidence,
            msg=f"Next: {decision.next}" if decision.next != FINISH else "Finish",
        )
    )
    return {"next": decision.next, "steps": steps}


def route(state: WorkflowState) -> Route:
    """LangGraph conditional edge: follow the supervisor's decision."""
    return state["next"]
