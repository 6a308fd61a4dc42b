"""The optional model path, wired through langchain-core's fake chat model."""

from __future__ import annotations

import importlib.util
import json
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from agents import llm
from agents.codesmith import write_prose
from agents.supervisor import decide
from streaming.runs.control import launch
from tests.sessions import assert_well_formed, astored_events, wait_for_status


def answer(next_step: str, reasoning: str, confidence: float = 0.8) -> str:
    return json.dumps({"next": next_step, "reasoning": reasoning, "confidence": confidence})


PROSE = (
    "The sample holds 20 files, most of them Python. "
    "It has 99 hidden plugins. "
    "Two import cycles tie the cart to pricing and the reports together."
)
#: A chat model without tools writes the answer from the facts it is given.
FIRST_ANSWER = "The workspace holds 17 Python modules and 42 plugins."
SECOND_ANSWER = "The workspace holds 17 Python modules; `shopkit.catalog` is the most imported."


@pytest.mark.django_db(transaction=True)
async def test_the_model_routes_the_supervisor_and_writes_the_answer_and_the_prose(
    amake_session, user, settings
):
    model = FakeListChatModel(
        responses=[
            answer("research", "model: look at the files first", 0.9),
            "```json\n" + answer("architect", "model: map the imports") + "\n```",
            answer("codesmith", "model: write it up"),
            FIRST_ANSWER,
            PROSE,
            answer("reviewer", "model: check the draft"),
            answer("codesmith", "model: fix what the reviewer found", 0.7),
            SECOND_ANSWER,
            answer("reviewer", "model: check again"),
            "I think we are done here.",  # not JSON: the plan's move is taken instead
        ]
    )
    settings.AGENTSTREAM_LLM = model
    session = await amake_session(user)
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    made = [e["data"] for e in events if e["phase"] == "decision"]
    assert [d["next"] for d in made] == [
        "research",
        "architect",
        "codesmith",
        "reviewer",
        "codesmith",
        "reviewer",
        "finish",
    ]
    question = {"kind": "overview", "subject": None, "understood": "an overview of the workspace"}
    assert made[0] == {
        "next": "research",
        "reasoning": "Question understood as: an overview of the workspace. "
        "model: look at the files first",
        "confidence": 0.9,
        "question": question,
    }
    assert all(d["question"] == question for d in made)
    assert made[4]["reasoning"] == "model: fix what the reviewer found"
    assert made[4]["confidence"] == 0.7
    assert "The model's answer was not one of finish." in made[6]["reasoning"]
    drafts = [
        e["data"]["report"] for e in events if e["agent"] == "codesmith" and e["phase"] == "result"
    ]
    assert PROSE in drafts[0]
    assert drafts[0].index("## Answer") < drafts[0].index("## Overview")
    assert FIRST_ANSWER in drafts[0]
    first_review, second_review = [
        e["data"] for e in events if e["agent"] == "reviewer" and e["phase"] == "result"
    ]
    assert first_review["untraceable"] == ["99"]
    assert [(f["kind"], f["number"]) for f in first_review["answer_findings"]] == [
        ("untraceable_number", "42")
    ]
    # The revision asks the model again for the answer, and drops the prose sentence flagged.
    assert SECOND_ANSWER in drafts[1]
    assert "42 plugins" not in drafts[1]
    assert "99 hidden plugins" not in drafts[1]
    assert "The sample holds 20 files, most of them Python." in drafts[1]
    assert second_review["approved"] is True, second_review["findings"]


@pytest.mark.django_db(transaction=True)
async def test_a_model_choosing_an_illegal_move_is_overruled(amake_session, user, settings):
    settings.AGENTSTREAM_LLM = FakeListChatModel(
        responses=[answer("finish", "model: nothing to do")] * 20
    )
    session = await amake_session(user)
    await launch(session.id)
    await wait_for_status(session.id)
    events = await astored_events(session.id)
    first = next(e for e in events if e["phase"] == "decision")
    assert first["data"]["next"] == "research"
    assert "not one of research" in first["data"]["reasoning"]


def test_no_model_by_default(settings):
    settings.AGENTSTREAM_LLM = None
    assert llm.chat_model() is None


def test_a_model_name_goes_to_init_chat_model(settings, monkeypatch):
    settings.AGENTSTREAM_LLM = "openai:gpt-4o-mini"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    llm._init.cache_clear()
    if importlib.util.find_spec("langchain") is None:
        with pytest.raises(ImproperlyConfigured, match=r"\[llm\]"):
            llm.chat_model()
    else:  # the llm extra is installed: a real model object, no request made
        model = llm.chat_model()
        assert type(model).__name__ == "ChatOpenAI"
    llm._init.cache_clear()


def test_json_object_finds_the_answer_in_chatter():
    assert llm.json_object('Sure! {"next": "research"} hope that helps') == {"next": "research"}
    assert llm.json_object("no json") is None
    assert llm.json_object("[1, 2]") is None


async def test_a_named_model_is_made_off_the_event_loop(settings, monkeypatch):
    """Making a model by name imports langchain and its provider (seconds, the first time):
    the supervisor and codesmith get it from a worker thread, never on the server's loop."""
    made_in: list[int] = []

    def init(name: str) -> FakeListChatModel:
        made_in.append(threading.get_ident())
        return FakeListChatModel(responses=[answer("research", "model: go"), "Eleven files."])

    monkeypatch.setattr(llm, "_init", init)  # init_chat_model would need a provider and a key
    settings.AGENTSTREAM_LLM = "provider:some-model"
    decision = await decide({})
    assert (decision.next, decision.reasoning) == (
        "research",
        "Question understood as: a question the survey's data cannot answer. model: go",
    )
    facts = {
        "inventory": {"files": 11, "bytes": 1, "lines": 1, "languages": [], "language_count": 0},
        "graph": {"module_count": 0, "edge_count": 0, "cycle_count": 0},
    }
    assert await write_prose(facts) is not None
    assert len(made_in) == 2
    assert threading.get_ident() not in made_in
