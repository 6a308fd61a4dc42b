"""The model's answer: a LangGraph tool loop over the survey's data, streamed as it is written.

``START → model ─(tool calls)→ tools → model … ─(none)→ END``. The model node streams the model's
words and writes them, a few at a time, as codesmith ``think`` events carrying
``data.message_id``; the tools node runs each call (`agents.tools`, in a thread) and writes the
call and its result as events. Every call is recorded so the reviewer can run it again. A model
that cannot take tools is asked once, without them, for an answer from the facts.
"""

from __future__ import annotations

import asyncio
import json
import operator
import time
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, StateGraph

from agents import llm
from agents.questions import Question
from agents.tools import TOOLS, result_text, run_tool
from streaming import Phase

AGENT = "codesmith"
#: Rounds of tool calls before the model must answer.
MAX_ROUNDS = 6
#: A streamed answer is written as an event when this much text waits, or this long passed.
FLUSH_CHARS = 400
FLUSH_SECONDS = 0.1

SYSTEM_PROMPT = (
    "You answer one question about a Python workspace. Query its import graph with the tools, "
    "then answer in a few plain Markdown sentences or a short list, no headings. Use only module "
    "names and numbers the tools returned; write module names in backticks, and an import as "
    "`importer` → `imported`. Name only modules the question is about."
)

Writer = Callable[[dict[str, Any]], None]


class LoopState(TypedDict):
    messages: Annotated[list[BaseMessage], operator.add]
    rounds: int


def _chunk(phase: Phase, msg: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"agent": AGENT, "phase": phase.value, "msg": msg, "data": data}


def _langchain_tools() -> list[StructuredTool]:
    """The tools as the model sees them: names, descriptions and string arguments."""

    def spec(name: str) -> StructuredTool:
        func = TOOLS[name]
        argument = "name" if name == "find_definition" else "module"

        def call(**kwargs: str) -> str:
            # The model sees only the schema; the loop's tools node answers with `run_tool`.
            raise RuntimeError(f"{name} is answered by the tool loop's tools node")

        schema = {
            "type": "object",
            "properties": {argument: {"type": "string"}},
            "required": [] if name == "cycles" else [argument],
        }
        return StructuredTool.from_function(
            func=call, name=name, description=(func.__doc__ or name).strip(), args_schema=schema
        )

    return [spec(name) for name in TOOLS]


class ToolLoop:
    """One answer's loop: the model, the data it queries, where its events go."""

    def __init__(self, model: Any, graph: dict[str, Any], write: Writer, message_id: str) -> None:
        self.model = model
        self.graph = graph
        self.write = write
        self.message_id = message_id
        self.calls: list[dict[str, Any]] = []
        self.turns = 0  # the model's messages so far: each streams under its own message id

    async def stream(self, runnable: Any, messages: list[BaseMessage]) -> AIMessage:
        """Return the model's message, writing its words as they come."""
        pending, last, whole = "", time.monotonic(), None
        async for piece in runnable.astream(messages):
            whole = piece if whole is None else whole + piece
            pending += llm.text_of(piece)
            if len(pending) >= FLUSH_CHARS or time.monotonic() - last >= FLUSH_SECONDS:
                self._words(pending)
                pending, last = "", time.monotonic()
        self._words(pending)
        if whole is None:
            return AIMessage(content="")
        return AIMessage(content=whole.content, tool_calls=getattr(whole, "tool_calls", []))

    def _words(self, text: str) -> None:
        if text:
            data = {"message_id": f"{self.message_id}.{self.turns}", "stream": "answer"}
            self.write(_chunk(Phase.THINK, text, data))

    async def model_node(self, state: LoopState) -> dict[str, Any]:
        self.turns += 1
        bound = self.model.bind_tools(_langchain_tools())
        return {"messages": [await self.stream(bound, state["messages"])]}

    async def tools_node(self, state: LoopState) -> dict[str, Any]:
        last = state["messages"][-1]
        replies: list[BaseMessage] = []
        for call in getattr(last, "tool_calls", []):
            name, args = call["name"], dict(call.get("args") or {})
            shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
            asked = {"tool": name, "args": args}
            self.write(_chunk(Phase.THINK, f"Tool call: {name}({shown})", asked))
            result = await asyncio.to_thread(run_tool, self.graph, name, args)
            self.calls.append({"tool": name, "args": args})
            text = result_text(result)
            summary = result.get("error") or f"{len(text):,} characters of facts"
            told = {"tool": name, "result": text}
            self.write(_chunk(Phase.PROGRESS, f"Tool result: {name}: {summary}", told))
            replies.append(ToolMessage(content=text, tool_call_id=call.get("id") or name))
        return {"messages": replies, "rounds": state["rounds"] + 1}

    def route(self, state: LoopState) -> str:
        last = state["messages"][-1]
        if getattr(last, "tool_calls", None) and state["rounds"] < MAX_ROUNDS:
            return "tools"
        return END

    def graph_of_loop(self) -> Any:
        loop = StateGraph(LoopState)
        loop.add_node("model", self.model_node)
        loop.add_node("tools", self.tools_node)
        loop.add_edge(START, "model")
        loop.add_conditional_edges("model", self.route, {"tools": "tools", END: END})
        loop.add_edge("tools", "model")
        return loop.compile()

    async def answer(self, prompt: str, facts: dict[str, Any]) -> str:
        """Return the model's answer to `prompt`, after the tool calls it chose to make (a
        model that takes no tools is given `facts` instead)."""
        messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT), HumanMessage(prompt)]
        try:
            self.model.bind_tools(_langchain_tools())
        except NotImplementedError:  # a model without tools: one request, the facts given
            given = result_text(facts)
            messages[-1] = HumanMessage(f"{prompt}\n\nThe facts (use only these):\n{given}")
            self.turns += 1
            return llm.text_of(await self.stream(self.model, messages)).strip()
        final = await self.graph_of_loop().ainvoke(
            {"messages": messages, "rounds": 0}, {"recursion_limit": 2 * MAX_ROUNDS + 3}
        )
        return llm.text_of(final["messages"][-1]).strip()


def prompt_for(question: Question, graph: dict[str, Any], feedback: list[str]) -> str:
    """Return what the model is asked: the question, how the survey read it, the workspace's
    size, and (for a revision) what the reviewer could not trace."""
    brief = {
        "question": question.text,
        "understood_as": question.understood(),
        "python_modules": graph["module_count"],
    }
    text = json.dumps(brief, ensure_ascii=False)
    if feedback:
        text += "\n\nThe reviewer could not trace these in your last answer; answer again " + (
            "using only what the tools return:\n- " + "\n- ".join(feedback)
        )
    return text


async def model_answer(
    model: Any,
    question: Question,
    graph: dict[str, Any],
    write: Writer,
    *,
    facts: dict[str, Any],
    draft: int,
    feedback: list[str] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Return the model's answer and the tool calls it made (for the reviewer to replay)."""
    loop = ToolLoop(model, graph, write, message_id=f"answer-{draft}")
    text = await loop.answer(prompt_for(question, graph, feedback or []), facts)
    return text, loop.calls
