"""The report's ``## Answer`` section, written from the facts that answer the question.

Only what bears on the question: the modules it names are the ones the question is about, every
number is in the facts, every import is written ``a`` → ``b`` (the importer first) and is one the
graph holds; a list that was cut says so ("25 of 140"). The reviewer checks all of that
(`agents.answer_review`). `graph` answers about imports, `parts` about the workspace's parts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.answers import graph, parts
from agents.questions import Question

ANSWER_HEADING = "## Answer"

_RENDER: dict[str, Callable[[dict[str, Any]], str]] = {
    "dependents": lambda f: graph.reach(f, upstream=True),
    "dependencies": lambda f: graph.reach(f, upstream=False),
    "cycles": graph.cycles,
    "central": graph.central,
    "largest": parts.largest,
    "entry_points": parts.entry_points,
    "unused": parts.unused,
    "definition": parts.definition,
    "third_party": parts.third_party,
    "overview": parts.overview,
}


def understood_line(question: Question) -> str:
    """Return the answer's first line: the question as the survey understood it."""
    return f"Question understood as: {question.understood()}."


def render(question: Question, facts: dict[str, Any], prose: str | None = None) -> str:
    """Return the ``## Answer`` section: the understood question, then the model's `prose`
    (when a model wrote the answer) or the answer written from `facts`."""
    body = prose if prose else _RENDER.get(question.kind, parts.unknown)(facts)
    return f"{ANSWER_HEADING}\n\n{understood_line(question)}\n\n{body}"
