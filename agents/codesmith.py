"""The codesmith agent: answers the question, then writes the report from the data.

An async node that speaks only through LangGraph's own custom stream (`get_stream_writer()`):
the workflow drives the graph with ``stream_mode=["updates", "custom"]`` and turns each chunk into
an event, so its think, progress and result events keep the order they were written in (see
docs/agents.md for how they order against direct emits). The answer's facts and the rendering
run in a thread (`asyncio.to_thread`), never on the event loop. Without a model the answer is
written from the facts (`agents.answer`); with one, the model writes it in a tool loop over the
data (`agents.tool_loop`), and a revision asks it again with what the reviewer could not trace.
The overview is the model's prose too; a revision drops every sentence of it the reviewer could
not trace.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from langgraph.config import get_stream_writer

from agents import llm, report
from agents.answers import render
from agents.conf import conf
from agents.facts import facts_for
from agents.questions import Question, recorded
from agents.state import WorkflowState
from agents.tool_loop import model_answer
from agents.wording import count
from streaming import Phase

AGENT = "codesmith"
PROSE_PROMPT = (
    "Write the overview paragraph of a report on a software workspace: two to four plain "
    "sentences, no Markdown, no lists. Use only numbers that appear in the facts given."
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


async def write_prose(facts: dict[str, Any]) -> str | None:
    """Return the model's overview of the facts, or None on the deterministic path."""
    model = await llm.get_model()
    if model is None:
        return None
    inv, graph = facts["inventory"], facts["graph"]
    brief = {
        "files": inv["files"],
        "bytes": inv["bytes"],
        "lines": inv["lines"],
        "languages": [row["language"] for row in inv["languages"]],
        "language_count": inv["language_count"],
        "python_modules": graph["module_count"],
        "internal_imports": graph["edge_count"],
        "import_cycles": graph["cycle_count"],
    }
    text = (await llm.ask(model, PROSE_PROMPT, json.dumps(brief))).strip()
    return text or None


def without_numbers(prose: str, numbers: list[str]) -> str:
    """Return `prose` without the sentences that state any of `numbers`."""
    bad = [re.compile(rf"(?<![\w.]){re.escape(n)}(?![\w])") for n in numbers]
    kept = [s for s in _SENTENCE.split(prose) if not any(p.search(s) for p in bad)]
    return " ".join(kept)


def _chunk(
    phase: Phase, msg: str, *, pct: float | None = None, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a custom stream chunk; the workflow turns it into this agent's event."""
    return {"agent": AGENT, "phase": phase.value, "msg": msg, "pct": pct, "data": data or {}}


async def answer_text(
    state: WorkflowState, question: Question, write: Any, version: int
) -> tuple[str, list[dict[str, Any]], str | None]:
    """Return the ``## Answer`` section, the model's tool calls, and its own words (or None)."""
    graph = state["graph"]
    facts = await asyncio.to_thread(facts_for, question, graph, int(conf.REPORT_ROWS))
    model = await llm.get_model()
    summary = state.get("report_summary", {})
    review = state.get("review") if version > 1 else None
    words: str | None = None
    calls: list[dict[str, Any]] = []
    if model is not None:
        feedback = [f["detail"] for f in (review or {}).get("answer_findings", [])]
        if review is not None and not feedback:  # the answer passed: keep it as it is
            words, calls = summary.get("answer_words"), summary.get("answer_calls", [])
        else:
            words, calls = await model_answer(
                model, question, graph, write, facts=facts, draft=version, feedback=feedback
            )
    return render(question, facts, prose=words or None), calls, words


async def codesmith(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: write a draft (or, after a failed review, the revision) of the report."""
    write = get_stream_writer()
    version = state.get("report_version", 0) + 1
    review = state.get("review") if version > 1 else None
    question = recorded(state.get("query", ""), state.get("question"))
    facts: dict[str, Any] = {
        "query": state.get("query", ""),
        "inventory": state["inventory"],
        "graph": state["graph"],
        "compile_failures": review["compile_failures"] if review else [],
        "compile_failure_count": review["compile_failure_count"] if review else 0,
    }
    if review is None:
        write(_chunk(Phase.THINK, f"Answering {question.understood()}, then the overview"))
        facts["answer"], calls, words = await answer_text(state, question, write, version)
        facts["prose"] = await write_prose(facts)
    else:
        problems = count(review["finding_count"], "review finding")
        write(_chunk(Phase.THINK, f"Revising the report after {problems}"))
        facts["answer"], calls, words = await answer_text(state, question, write, version)
        prose = state.get("report_summary", {}).get("prose")
        facts["prose"] = without_numbers(prose, review["untraceable"]) if prose else None
    sections = []
    total = len(report.SECTIONS)
    for done, (title, section) in enumerate(report.SECTIONS, start=1):
        sections.append(await asyncio.to_thread(section, facts))
        write(
            _chunk(
                Phase.PROGRESS,
                f"Wrote the {title} section ({done} of {total})",
                pct=done / total,
                data={"section": title, "done": done, "total": total},
            )
        )
    text = report.join(sections)
    write(
        _chunk(
            Phase.RESULT,
            f"Report draft {version} ready: {count(len(text.splitlines()), 'line')}",
            pct=1.0,
            data={"report": text, "format": "markdown", "draft": version},
        )
    )
    return {
        "report": text,
        "report_version": version,
        "answer_calls": calls,
        "report_summary": {
            "prose": facts["prose"],
            "draft": version,
            "answer_words": words,
            "answer_calls": calls,
        },
    }
