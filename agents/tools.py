"""The tools a language model queries the survey's data with, as plain functions.

Each takes the architect's graph and JSON-able arguments and returns JSON-able facts (lists cut to
`TOOL_ROWS`, beside their totals), or ``{"error": …}`` for arguments it cannot use. The tool loop
(`agents.tool_loop`) offers them to the model; the reviewer runs each recorded call again to
know what the model was told, so an answer's names and numbers can be traced to them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agents.facts import facts_for
from agents.import_graph import ImportGraph
from agents.questions import Question

#: Rows of each list in a tool's result.
TOOL_ROWS = 10
#: A tool result, as JSON, is cut to this many characters before the model sees it.
MAX_RESULT_CHARS = 6_000


def dependents(graph: dict[str, Any], module: str) -> dict[str, Any]:
    """The modules that import `module`, directly and transitively."""
    return facts_for(Question("dependents", module, ""), graph, TOOL_ROWS)


def dependencies(graph: dict[str, Any], module: str) -> dict[str, Any]:
    """The workspace modules `module` imports, directly and transitively, and its externals."""
    return facts_for(Question("dependencies", module, ""), graph, TOOL_ROWS)


def cycles(graph: dict[str, Any], module: str = "") -> dict[str, Any]:
    """The import cycles (all, or the one `module` is in), with the imports that break them."""
    return facts_for(Question("cycles", module or None, ""), graph, TOOL_ROWS)


def find_definition(graph: dict[str, Any], name: str) -> dict[str, Any]:
    """Where `name` (a class, function, variable or Class.method) is defined."""
    return facts_for(Question("definition", name, ""), graph, TOOL_ROWS)


def file_facts(graph: dict[str, Any], module: str) -> dict[str, Any]:
    """One module's facts: file, kind, lines, imports, importers, definitions, externals."""
    g = ImportGraph(graph)
    matches = g.find(module)
    if len(matches) != 1:
        return {"error": f"{len(matches)} modules match {module!r}", "candidates": matches[:10]}
    row = g.rows[matches[0]]
    importers = sorted(g.importers.get(row["name"], ()))
    return {
        "module": row["name"],
        "path": row["path"],
        "kind": row["kind"],
        "lines": row["lines"],
        "imports": row["imports"][:TOOL_ROWS],
        "import_count": len(row["imports"]),
        "imported_by": importers[:TOOL_ROWS],
        "imported_by_count": len(importers),
        "inside_functions": row["lazy"][:TOOL_ROWS],
        "for_type_checkers_only": row["type_only"][:TOOL_ROWS],
        "definitions": [d[0] for d in row["definitions"][:TOOL_ROWS]],
        "definition_count": len(row["definitions"]),
        "external": row["external"][:TOOL_ROWS],
        "in_cycle_of": len(g.component(row["name"])),
    }


TOOLS: dict[str, Callable[..., dict[str, Any]]] = {
    "dependents": dependents,
    "dependencies": dependencies,
    "cycles": cycles,
    "find_definition": find_definition,
    "file_facts": file_facts,
}


def run_tool(graph: dict[str, Any], name: str, args: Any) -> dict[str, Any]:
    """Run tool `name` with `args` (a mapping) on `graph`; bad calls give ``{"error": …}``."""
    tool = TOOLS.get(name)
    if tool is None:
        return {"error": f"no tool named {name!r}; the tools are {', '.join(TOOLS)}"}
    if not isinstance(args, dict) or not all(isinstance(v, str) for v in args.values()):
        return {"error": "arguments must be an object of strings"}
    try:
        return tool(graph, **args)
    except TypeError as exc:
        return {"error": f"bad arguments for {name}: {exc}"}


def result_text(result: dict[str, Any]) -> str:
    """Return a tool result as the JSON the model reads, cut to `MAX_RESULT_CHARS`."""
    text = json.dumps(result, ensure_ascii=False)
    return text if len(text) <= MAX_RESULT_CHARS else text[:MAX_RESULT_CHARS] + " …(cut)"
