"""Golden questions on the shipped `sample`: each session's answer leads its report, states
the facts (checked here by hand and, for imports, against grimp) and passes the review."""

from __future__ import annotations

import sys

import grimp
import pytest

from agents.answer_review import answer_section
from streaming.runs.control import launch
from tests.agents.surveyed import SAMPLE
from tests.sessions import assert_well_formed, astored_events, wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)


async def ask(amake_session, user, query: str) -> tuple[str, list[dict]]:
    """Run a session on `sample`; return its final report's answer section and its events."""
    session = await amake_session(user, query=query)
    await launch(session.id)
    ended = await wait_for_status(session.id)
    events = await astored_events(session.id)
    assert ended.status == "completed", events[-3:]
    assert_well_formed(events, "completed")
    reviews = [e["data"] for e in events if e["agent"] == "reviewer" and e["phase"] == "result"]
    assert reviews[-1]["approved"], reviews[-1]["findings"]
    assert all(not r["answer_findings"] for r in reviews)  # the answer traced at once
    report = [e for e in events if e["agent"] == "codesmith" and e["phase"] == "result"]
    text = report[-1]["data"]["report"]
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## Answer", "## Overview"]
    return answer_section(text), events


def understood(events: list[dict]) -> set[tuple[str, str | None]]:
    return {
        (e["data"]["question"]["kind"], e["data"]["question"]["subject"])
        for e in events
        if e["phase"] == "decision"
    }


@pytest.fixture
def grimp_sample(monkeypatch):
    """grimp's graph of the sample's packages (its `tests` and `scripts` are left out: the test
    run's own `tests` package would shadow them)."""
    monkeypatch.syspath_prepend(str(SAMPLE / "src"))
    monkeypatch.syspath_prepend(str(SAMPLE))
    graph = grimp.build_graph("shopkit", "shopkit_ext", "shopkit_reports", cache_dir=None)
    yield graph
    for name in [m for m in sys.modules if m.split(".")[0].startswith("shopkit")]:
        del sys.modules[name]


async def test_what_depends_on_pricing_names_its_importers_per_grimp(
    amake_session, user, grimp_sample
):
    answer, events = await ask(amake_session, user, "What depends on pricing?")
    assert understood(events) == {("dependents", "pricing")}
    decision = next(
        e for e in events if e["phase"] == "decision" and e["data"]["next"] == "codesmith"
    )
    assert "`pricing` is the module `shopkit.pricing`." in decision["data"]["reasoning"]
    direct = grimp_sample.find_modules_that_directly_import("shopkit.pricing")
    assert direct == {"shopkit", "shopkit.cart", "shopkit_reports.summary"}
    for importer in [*direct, "tests.test_pricing"]:
        assert f"- `{importer}` → `shopkit.pricing`, line " in answer
    dependents = grimp_sample.find_downstream_modules("shopkit.pricing")
    # grimp sees the sample's packages; the survey also sees its tests and scripts.
    for module in [*dependents, "tests.test_pricing", "scripts.migrate_v1"]:
        assert f"`{module}`" in answer
    assert len(dependents) + 2 == 11
    assert "11 modules depend on it in all." in answer
    assert "`shopkit.pricing` is in an import cycle of 2 modules." in answer


async def test_which_modules_are_cyclic_gives_each_component_and_how_it_closes(amake_session, user):
    answer, events = await ask(amake_session, user, "Which modules are cyclic?")
    assert understood(events) == {("cycles", None)}
    assert "The import graph has 2 import cycles" in answer
    assert "0 remain when imports inside functions and for type checkers only are left out" in (
        answer
    )
    assert (
        "- **2 modules**: `shopkit.cart` and `shopkit.pricing`; 2 imports inside (1 for type "
        "checkers only); at import time it is no cycle."
    ) in answer
    assert "(2 inside functions, 1 for type checkers only)" in answer
    assert "Removing `shopkit.cart` → `shopkit.pricing` breaks it" in answer


async def test_entry_points_are_scripts_main_modules_and_main_blocks(amake_session, user):
    answer, _ = await ask(amake_session, user, "What are the entry points?")
    assert "- console script `shopkit`, which runs `shopkit.cli`" in answer
    assert "- console script `shopkit-report`, which runs `shopkit_reports.summary`" in answer
    assert "- `shopkit.__main__` (`shopkit/__main__.py`): run with `python -m`" in answer
    assert '- `statistics` (`statistics.py`): a `__name__ == "__main__"` block' in answer


async def test_modules_nothing_imports_leave_out_entry_points_tests_and_used_packages(
    amake_session, user
):
    answer, _ = await ask(amake_session, user, "Which modules does nothing import?")
    assert "2 modules are imported by no other module" in answer
    listed = [line for line in answer.splitlines() if line.startswith("- ")]
    assert listed == ["- `scripts.migrate_v1`", "- `shopkit.legacy`"]
    assert "2 entry points (`shopkit.__main__` and `statistics`) and 1 test module" in answer


async def test_where_a_class_is_defined(amake_session, user):
    answer, events = await ask(amake_session, user, "Where is Cart defined?")
    assert understood(events) == {("definition", "Cart")}
    assert "- class `Cart` in `shopkit.cart` (`shopkit/cart.py`, line 22)" in answer


async def test_third_party_packages_against_what_the_project_declares(amake_session, user):
    answer, _ = await ask(amake_session, user, "Are all third-party packages declared?")
    assert "- `tabulate`: 1 module (`shopkit_reports.formats.table`)" in answer
    assert "It declares 2 dependencies (in `pyproject.toml`)." in answer
    assert "Imported but not declared: `yaml`." in answer
    assert "Declared but never imported: `requests`." in answer


async def test_dependencies_cross_into_a_namespace_package_from_inside_a_function(
    amake_session, user
):
    answer, _ = await ask(amake_session, user, "What does shopkit/cli.py depend on?")
    assert "- `shopkit.cli` → `shopkit_ext.gift_wrap`, line 39 (inside a function)" in answer
    assert "it depends on 5 in all" in answer
    assert "Outside the workspace it imports `argparse`, `pathlib` and `sys`." in answer


async def test_a_workspace_module_named_like_the_stdlib_captures_no_import(amake_session, user):
    answer, events = await ask(amake_session, user, "What depends on statistics?")
    assert "No module of the workspace imports `statistics` (`statistics.py`)." in answer
    graph = next(e["data"] for e in events if e["agent"] == "architect" and e["phase"] == "result")
    stdlib = {p["name"]: p["importers"] for p in graph["stdlib"]}
    assert stdlib["statistics"] == ["shopkit_reports.summary"]


async def test_central_and_largest_modules(amake_session, user):
    answer, _ = await ask(amake_session, user, "Which modules are central?")
    first = next(line for line in answer.splitlines() if line.startswith("- "))
    assert first.startswith("- `shopkit.catalog`: imported by 7 modules directly, 13 in all")
    answer, _ = await ask(amake_session, user, "What are the largest modules?")
    first = next(line for line in answer.splitlines() if line.startswith("- "))
    assert first.startswith("- `shopkit_reports.summary` (`src/shopkit_reports/summary.py`): 53")


async def test_a_question_it_cannot_answer_says_so_and_the_overview_follows(amake_session, user):
    answer, events = await ask(amake_session, user, "Who wrote this code?")
    assert understood(events) == {("unknown", None)}
    assert answer.count("\n- ") == 0
    assert "The survey cannot answer this from its data" in answer
    assert "It can answer: which modules are central; what depends on a module" in answer
    body = answer.strip().split("\n\n", 1)[1]
    assert "`" not in body  # it names no module
