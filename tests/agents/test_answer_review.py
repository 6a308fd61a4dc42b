"""The reviewer holds the answer to the data: numbers, names, imports, and the question."""

from __future__ import annotations

import pytest

from agents.answer_review import answer_section, check_answer, leads, without_answer
from agents.answers import render
from agents.facts import facts_for
from agents.questions import understand
from tests.agents.surveyed import sample_graph

QUESTION = understand("What depends on pricing?")


def _report(answer: str, *, first: bool = True) -> str:
    overview = "## Overview\n\nThe workspace holds 20 files."
    body = [answer, overview] if first else [overview, answer]
    return "# Workspace report: `sample`\n\n> What depends on pricing?\n\n" + "\n\n".join(body)


def _kinds(answer: str, **kwargs) -> list[tuple[str, str | None]]:
    findings = check_answer(_report(answer, **kwargs), QUESTION, sample_graph(), rows=25)
    return [(f["kind"], f.get("number") or f.get("name") or f.get("importer")) for f in findings]


def test_the_answer_written_from_the_facts_traces_and_leads():
    answer = render(QUESTION, facts_for(QUESTION, sample_graph(), 25))
    assert _kinds(answer) == []
    report = _report(answer)
    assert leads(report)
    assert answer_section(report).startswith("\nQuestion understood as: what depends on `pricing`")
    assert "## Answer" in without_answer(report)
    assert "shopkit.cart" not in without_answer(report)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("`shopkit.pricing` is imported directly by 13 modules.", [("untraceable_number", "13")]),
        (
            "`shopkit.pricing` is imported by `shopkit.nothing`.",
            [("answer_unknown_name", "shopkit.nothing")],
        ),
        ("`shopkit.legacy` depends on it.", [("answer_off_question", "shopkit.legacy")]),
        (
            "- `shopkit.catalog` → `shopkit.pricing`",
            [
                ("answer_off_question", "shopkit.catalog"),
                ("answer_wrong_import", "shopkit.catalog"),
            ],
        ),
        ("- `shopkit.cart` → `shopkit.pricing`, line 7", []),
        ("`from shopkit import pricing` is how, in 4 modules.", []),
    ],
)
def test_every_number_name_and_import_of_the_answer_must_trace(claim, expected):
    assert _kinds(f"## Answer\n\nQuestion understood as: anything 99.\n\n{claim}") == expected


def test_a_report_without_an_answer_first_is_sent_back():
    assert _kinds("## Answer\n\nNothing.", first=False) == [("answer_not_first", None)]
    report = "# Workspace report\n\n## Overview\n\nText."
    [finding] = check_answer(report, QUESTION, sample_graph(), rows=25)
    assert finding["kind"] == "answer_missing"


def test_tool_results_the_model_was_given_are_evidence_too():
    """A model that asked for `shopkit.cart`'s dependencies may cite what that call returned."""
    graph = sample_graph()
    question = understand("Which modules are central?")
    plain = "## Answer\n\nThe cart's import of `shopkit.catalog` is on line 8."
    assert [f["kind"] for f in check_answer(_report(plain), question, graph, rows=25)] == [
        "untraceable_number"
    ]
    calls = [{"tool": "dependencies", "args": {"module": "shopkit.cart"}}]
    assert check_answer(_report(plain), question, graph, rows=25, calls=calls) == []
