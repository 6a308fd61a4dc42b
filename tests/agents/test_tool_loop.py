"""With a model, the answer is written in a LangGraph tool loop over the survey's data: each
tool call and result is an event, the words stream as they come, and the reviewer sends an
answer that names what does not trace back once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from agents.answer_review import answer_section
from streaming.runs.control import launch
from tests.sessions import assert_well_formed, astored_events, wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)


class ScriptedChatModel(BaseChatModel):
    """A chat model that says the next line of its script: a string, or an `AIMessage` that
    may call tools; it streams word by word, its tool calls last, and records what it was sent."""

    script: list[Any]
    position: int = 0
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    tools_seen: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.prompts.append(messages)
        item = self.script[self.position]
        self.position += 1
        return item if isinstance(item, AIMessage) else AIMessage(content=item)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator:
        message = self._next(messages)
        for word in re.split(r"(\s)", str(message.content)):
            if word:
                yield ChatGenerationChunk(message=AIMessageChunk(content=word))
        if message.tool_calls:
            chunks = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                for i, c in enumerate(message.tool_calls)
            ]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))

    def bind_tools(self, tools, **kwargs) -> ScriptedChatModel:
        self.tools_seen = [tool.name for tool in tools]
        return self


def decide(step: str) -> str:
    return json.dumps({"next": step, "reasoning": f"model: {step}", "confidence": 0.8})


def call(tool: str, call_id: str, **args: str) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": call_id}])


FIRST = "`shopkit.pricing` is imported directly by 4 modules, `shopkit.legacy` among them."
SECOND = (
    "`shopkit.pricing` is imported directly by 4 modules: "
    "`shopkit.cart` → `shopkit.pricing` is one, on line 7."
)


async def test_the_model_answers_through_tools_and_is_sent_back_once_for_a_name_off_the_question(
    amake_session, user, settings
):
    model = ScriptedChatModel(
        script=[
            decide("research"),
            decide("architect"),
            decide("codesmith"),
            call("dependents", "c1", module="pricing"),
            FIRST,
            "The sample holds 20 files.",
            decide("reviewer"),
            decide("codesmith"),
            call("file_facts", "c2", module="shopkit.cart"),
            SECOND,
            decide("reviewer"),
            decide("finish"),
        ]
    )
    settings.AGENTSTREAM_LLM = model
    session = await amake_session(user, query="What depends on pricing?")
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    assert model.position == len(model.script)
    assert model.tools_seen == [
        "dependents",
        "dependencies",
        "cycles",
        "find_definition",
        "file_facts",
    ]
    codesmith = [e for e in events if e["agent"] == "codesmith"]
    calls = [e for e in codesmith if e["msg"].startswith("Tool call: ")]
    assert [(e["msg"], e["data"]["args"]) for e in calls] == [
        ("Tool call: dependents(module='pricing')", {"module": "pricing"}),
        ("Tool call: file_facts(module='shopkit.cart')", {"module": "shopkit.cart"}),
    ]
    results = [e for e in codesmith if e["msg"].startswith("Tool result: ")]
    told = json.loads(results[0]["data"]["result"])
    assert (told["module"], told["direct_count"]) == ("shopkit.pricing", 4)
    # The words stream as think events of one message id, and add up to the answer.
    streamed: dict[str, str] = {}
    for event in codesmith:
        if event["data"].get("stream") == "answer":
            streamed[event["data"]["message_id"]] = (
                streamed.get(event["data"]["message_id"], "") + event["msg"]
            )
    assert streamed == {"answer-1.2": FIRST, "answer-2.2": SECOND}
    # The first answer names a module the question is not about: sent back once, with why.
    first, second = [
        e["data"] for e in events if e["agent"] == "reviewer" and e["phase"] == "result"
    ]
    assert [(f["kind"], f["name"]) for f in first["answer_findings"]] == [
        ("answer_off_question", "shopkit.legacy")
    ]
    revision_prompt = str(model.prompts[8][-1].content)
    assert "the answer names shopkit.legacy, which the question is not about" in revision_prompt
    assert second["approved"] is True, second["findings"]
    drafts = [e["data"]["report"] for e in codesmith if e["phase"] == "result"]
    assert FIRST in answer_section(drafts[0])
    assert SECOND in answer_section(drafts[1])
    assert answer_section(drafts[1]).startswith(
        "\nQuestion understood as: what depends on `pricing`, directly and transitively."
    )


async def test_a_model_naming_an_import_the_graph_lacks_is_caught(amake_session, user, settings):
    wrong = "`shopkit.catalog` → `shopkit.pricing` is how it is used."
    settings.AGENTSTREAM_LLM = ScriptedChatModel(
        script=[
            decide("research"),
            decide("architect"),
            decide("codesmith"),
            wrong,
            "Prose.",
            decide("reviewer"),
            decide("finish"),
        ]
    )
    session = await amake_session(user, query="What imports shopkit.catalog?")
    await launch(session.id)
    await wait_for_status(session.id)
    events = await astored_events(session.id)
    review = next(e["data"] for e in events if e["agent"] == "reviewer" and e["phase"] == "result")
    kinds = [(f["kind"], f.get("importer")) for f in review["answer_findings"]]
    assert kinds == [("answer_wrong_import", "shopkit.catalog")]
