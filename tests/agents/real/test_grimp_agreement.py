"""The survey's modules and internal imports agree with grimp on real packages, module for
module and edge for edge.

The one documented difference: grimp keeps an import of a module by itself (``from . import x``
in a package's ``__init__`` when ``x`` is not a submodule) as an edge to itself; the survey does
not count it, so those self-edges are left out of grimp's side. Imports under TYPE_CHECKING and
inside functions count on both sides (grimp with ``exclude_type_checking_imports=False``)."""

from __future__ import annotations

from typing import Any

import grimp
import pytest

from tests.agents.real.graphs import grimp_edges, surveyed

pytestmark = pytest.mark.slow


def survey_edges(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m["name"], target) for m in data["modules"] for target in m["imports"]}


def test_django_and_langgraph_side_by_side_agree_with_grimp(real_root, grimp_graph):
    """Several top-level packages in one workspace: a regular package and a namespace one."""
    data = surveyed(real_root / "both")
    modules = {m["name"] for m in data["modules"]}
    assert modules == set(grimp_graph.modules)
    assert data["module_count"] + data["namespace_count"] == len(modules) > 900
    edges = grimp_edges(grimp_graph, modules)
    assert survey_edges(data) == edges
    assert data["edge_count"] == len(edges) > 3000
    kinds = {m["name"]: m["kind"] for m in data["modules"]}
    assert kinds["langgraph"] == "namespace"  # LangGraph has no top-level __init__.py
    assert kinds["langgraph.pregel.main"] == "module"
    assert data["unresolved_count"] == 0


def test_a_package_folder_as_the_workspace_is_named_as_python_imports_it(real_root):
    """LangGraph's own folder as the workspace: its modules are `langgraph.*` (its imports say
    so), its `typing.py` is `langgraph.typing`, and `import typing` stays the standard library."""
    langgraph = grimp.build_graph("langgraph", cache_dir=None)
    data = surveyed(real_root / "langgraph")
    modules = {m["name"] for m in data["modules"]}
    assert data["root_package"] == "langgraph"
    assert modules == set(langgraph.modules)
    assert survey_edges(data) == grimp_edges(langgraph, modules)
    rows = {m["name"]: m for m in data["modules"]}
    assert rows["langgraph.typing"]["path"] == "typing.py"
    assert rows["langgraph.typing"]["fan_in"] == len(
        langgraph.find_modules_that_directly_import("langgraph.typing")
    )
    assert "typing" in {p["name"] for p in data["stdlib"]}
    assert "langgraph" not in {p["name"] for p in data["third_party"]}


def test_imports_inside_functions_and_for_type_checkers_are_marked(real_root, grimp_graph):
    """The imports marked as for type checkers only are exactly those grimp drops when told to
    exclude TYPE_CHECKING imports; an import inside a function keeps its line."""
    data = surveyed(real_root / "both")
    rows = {m["name"]: m for m in data["modules"]}
    modules = set(rows)
    without = grimp.build_graph(
        "django", "langgraph", cache_dir=None, exclude_type_checking_imports=True
    )
    type_only = {(name, t) for name, row in rows.items() for t in row["type_only"]}
    assert type_only == grimp_edges(grimp_graph, modules) - grimp_edges(without, modules)
    assert len(type_only) == data["type_only_edge_count"] > 0
    lazy = {(name, t) for name, row in rows.items() for t in row["lazy"]}
    assert len(lazy) == data["lazy_edge_count"] > 100
    assert not lazy & type_only
    # django/apps/registry.py imports django.conf once, in `check_apps_ready`, on line 132.
    [details] = grimp_graph.get_import_details(
        importer="django.apps.registry", imported="django.conf"
    )
    registry = rows["django.apps.registry"]
    assert "django.conf" in registry["lazy"]
    line = registry["import_lines"][registry["imports"].index("django.conf")]
    assert line == details["line_number"]
