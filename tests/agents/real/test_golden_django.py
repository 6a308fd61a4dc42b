"""Golden questions on Django's own source, each answer's facts held to grimp's graph of the
installed Django (the files the workspace links)."""

from __future__ import annotations

import json

import grimp
import pytest

from agents.answer_review import answer_section, check_answer
from agents.answers import render
from agents.cycles import strongly_connected
from agents.facts import facts_for
from agents.questions import understand
from streaming.runs.control import launch
from tests.agents.real.graphs import grimp_edges, surveyed
from tests.sessions import assert_well_formed, astored_events, wait_for_status

pytestmark = pytest.mark.slow
QUERY = "django.db.models.query"


@pytest.fixture(scope="module")
def django_grimp() -> grimp.ImportGraph:
    return grimp.build_graph("django", cache_dir=None)


@pytest.fixture
def graph(real_root):
    return surveyed(real_root / "django")


def answer_to(query: str, graph) -> tuple[dict, str]:
    question = understand(query)
    facts = facts_for(question, graph, 25)
    text = render(question, facts)
    report = f"# Workspace report\n\n{text}\n\n## Overview\n\nx"
    assert check_answer(report, question, graph, rows=25) == []  # it traces
    return facts, text


def test_what_imports_django_db_models_query(graph, django_grimp):
    facts, text = answer_to(f"What imports {QUERY}?", graph)
    direct = django_grimp.find_modules_that_directly_import(QUERY)
    assert {row["module"] for row in facts["direct"]} == direct
    assert facts["total_count"] == len(django_grimp.find_downstream_modules(QUERY))
    for importer in direct:
        details = django_grimp.get_import_details(importer=importer, imported=QUERY)
        assert f"- `{importer}` → `{QUERY}`, line {min(d['line_number'] for d in details)}" in (
            text
        )
    assert f"({len(facts['transitive'])} of {facts['transitive_count']})" in text


def test_what_django_db_models_query_depends_on(graph, django_grimp):
    facts, _ = answer_to("What does django/db/models/query.py depend on?", graph)
    assert facts["module"] == QUERY
    assert {row["module"] for row in facts["direct"]} == (
        django_grimp.find_modules_directly_imported_by(QUERY)
    )
    assert facts["total_count"] == len(django_grimp.find_upstream_modules(QUERY))


def test_the_central_modules_are_the_most_imported_per_grimp(graph, django_grimp):
    facts, _ = answer_to("Which modules are central?", graph)
    modules = set(django_grimp.modules)
    fan_in = {m: len(django_grimp.find_modules_that_directly_import(m) - {m}) for m in modules}
    fan_out = {m: len(django_grimp.find_modules_directly_imported_by(m) - {m}) for m in modules}
    ranked = sorted(modules, key=lambda m: (-fan_in[m], -fan_out[m], m))[:10]  # ties as answered
    assert [(r["module"], r["fan_in"]) for r in facts["central"]] == [
        (m, fan_in[m]) for m in ranked
    ]
    top = facts["central"][0]
    assert top["dependents"] == len(django_grimp.find_downstream_modules(top["module"]))


def test_cycles_are_components_not_a_chain(graph, django_grimp):
    facts, text = answer_to("Which modules are cyclic?", graph)
    edges = grimp_edges(django_grimp, set(django_grimp.modules))
    adjacency: dict[str, set[str]] = {m: set() for m in django_grimp.modules}
    for importer, imported in edges:
        adjacency[importer].add(imported)
    expected = strongly_connected(adjacency)
    assert facts["cycle_count"] == len(expected)
    assert [c["size"] for c in facts["components"]] == [len(c) for c in expected[:5]]
    largest = facts["components"][0]
    assert largest["size"] > 100
    assert f"- **{largest['size']} modules**: `django`, `django.apps`" in text
    assert "⇄" not in text
    best = largest["breakers"][0]
    assert (best["importer"], best["imported"]) in edges
    assert best["largest_left"] < largest["size"]


def test_where_queryset_is_defined(graph):
    facts, text = answer_to("Where is QuerySet defined?", graph)
    places = {(d["module"], d["kind"]) for d in facts["definitions"]}
    assert (QUERY, "class") in places
    assert "- class `QuerySet` in `django.db.models.query` (`django/db/models/query.py`" in text


def test_third_party_lists_no_stdlib_or_main(graph):
    facts, _ = answer_to("Which third-party packages does it use?", graph)
    names = {p["name"] for p in graph["third_party"]}
    assert {"asgiref", "sqlparse"} <= names
    assert not names & {"__main__", "annotationlib", "typing", "__future__"}
    assert facts["declaration_files"] == []  # an installed package ships no pyproject.toml


@pytest.mark.django_db(transaction=True)
async def test_a_session_on_djangos_source_answers_first_and_is_right_about_it(
    amake_session, user, in_real_root, django_grimp
):
    session = await amake_session(user, query=f"What imports {QUERY}?", workspace="django")
    await launch(session.id)
    ended = await wait_for_status(session.id, within=120)
    events = await astored_events(session.id)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    assert len(events) < 250
    assert max(len(json.dumps(e["data"])) for e in events) < 200_000
    report = [e for e in events if e["agent"] == "codesmith" and e["phase"] == "result"][-1]
    text = report["data"]["report"]
    answer = answer_section(text)
    for importer in django_grimp.find_modules_that_directly_import(QUERY):
        assert f"- `{importer}` → `{QUERY}`" in answer
    reviews = [e["data"] for e in events if e["agent"] == "reviewer" and e["phase"] == "result"]
    assert reviews[0]["approved"], reviews[0]["findings"]
    inventory = next(e for e in events if e["agent"] == "research" and e["phase"] == "result")
    kinds = {row["kind"]: row["share"] for row in inventory["data"]["kinds"]}
    assert kinds["translations"] > 50 > kinds["other"]  # the .po/.mo files, not "Other"
    graph = next(e["data"] for e in events if e["agent"] == "architect" and e["phase"] == "result")
    assert f"- Standard library (25 of {graph['stdlib_count']}): " in text  # a cut list says so
    assert "1 Python modules" not in text
    assert "line 0" not in text
