"""The architect agent: the Python import graph (modules, fan-in/fan-out, cycles) from `ast`.

A plain sync function run by LangGraph in its executor. Two passes over the workspace's Python
files: the first names every module (so imports can be resolved against the workspace), the
second parses each file and records its imports. Files over the size limit, and modules past
`MAX_MODULES`, are skipped with a note.
"""

from __future__ import annotations

import itertools
from pathlib import Path, PurePosixPath
from typing import Any

from agents.conf import agent_settings
from agents.files import python_files, read_text, walk
from agents.imports import (
    ModuleInfo,
    classify_external,
    module_name,
    parse_module,
    resolve,
    strongly_connected,
)
from agents.progress import ProgressMeter
from agents.state import WorkflowState
from streaming import Event, Phase, emit_sync

AGENT = "architect"
MAX_NOTES = 20


def _say(phase: Phase, msg: str, **kwargs: Any) -> None:
    emit_sync(Event.for_agent(AGENT, phase, msg, **kwargs))


def map_imports(root: Path) -> dict[str, Any]:
    """Parse the Python files under `root`, emitting events, and return the import graph."""
    limit = int(agent_settings.MAX_FILE_BYTES)
    max_modules = int(agent_settings.MAX_MODULES)
    package_dirs = {
        str(PurePosixPath(entry.path).parent)
        for entry in walk(root)
        if PurePosixPath(entry.path).name == "__init__.py" and not entry.symlink
    }
    found = sum(1 for _ in python_files(root))
    candidates = list(itertools.islice(python_files(root), max_modules))
    skipped: list[dict[str, Any]] = []
    skipped_count = found - len(candidates)
    if skipped_count:
        _say(
            Phase.THINK,
            f"{found} Python files; mapping the first {max_modules} by path",
            data={"limit": max_modules, "found": found},
        )
    _say(Phase.THINK, f"Parsing {len(candidates)} Python modules", data={"total": len(candidates)})
    meter = ProgressMeter(AGENT, len(candidates), unit="modules")
    modules: dict[str, ModuleInfo] = {}
    parse_errors: list[dict[str, Any]] = []
    for entry in candidates:
        name, is_package = module_name(entry.path, package_dirs)
        if name in modules:  # two files claim one name (e.g. scripts in two folders)
            name = entry.path.removesuffix(".py").replace("/", ".")
        source = read_text(entry, limit)
        if source is None:
            skipped_count += 1
            reason = f"larger than the {limit}-byte limit: not parsed"
            if len(skipped) < MAX_NOTES:
                skipped.append({"path": entry.path, "reason": reason, "bytes": entry.size})
                _say(Phase.PROGRESS, f"Skipped {entry.path} ({entry.size} bytes): {reason}")
        else:
            try:
                modules[name] = parse_module(
                    source, name=name, path=entry.path, is_package=is_package
                )
            except SyntaxError as exc:
                parse_errors.append(
                    {"path": entry.path, "line": exc.lineno or 0, "message": exc.msg}
                )
                _say(Phase.PROGRESS, f"{entry.path} does not parse: {exc.msg} (line {exc.lineno})")
        meter.advance(f"Parsed {meter.done + 1} of {meter.total} modules")
    return _graph_data(modules, parse_errors, skipped, skipped_count)


def _graph_data(
    modules: dict[str, ModuleInfo],
    parse_errors: list[dict[str, Any]],
    skipped: list[dict[str, Any]],
    skipped_count: int,
) -> dict[str, Any]:
    known = set(modules)
    edges: dict[str, set[str]] = {}
    fan_in: dict[str, set[str]] = {name: set() for name in modules}
    external_users: dict[str, set[str]] = {}
    unresolved: list[dict[str, str]] = []
    for name, info in modules.items():
        internal, external, missing = resolve(info, known)
        edges[name] = internal
        for target in internal:
            fan_in[target].add(name)
        for package in external:
            external_users.setdefault(package, set()).add(name)
        unresolved.extend({"module": name, "import": m} for m in sorted(missing))
    stdlib, third_party = classify_external(external_users)
    cycles = strongly_connected(edges)
    rows = [
        {
            "name": name,
            "path": info.path,
            "lines": info.lines,
            "fan_out": len(edges[name]),
            "fan_in": len(fan_in[name]),
            "imports": sorted(edges[name]),
        }
        for name, info in sorted(modules.items())
    ]
    return {
        "modules": rows,
        "module_count": len(rows),
        "edge_count": sum(len(targets) for targets in edges.values()),
        "cycles": cycles,
        "cycle_count": len(cycles),
        "stdlib": [{"name": n, "modules": len(external_users[n])} for n in stdlib],
        "third_party": [{"name": n, "modules": len(external_users[n])} for n in third_party],
        "unresolved": unresolved[:MAX_NOTES],
        "parse_errors": parse_errors,
        "skipped": skipped,
        "skipped_count": skipped_count,
    }


def summary(graph: dict[str, Any], rows: int = 10) -> dict[str, Any]:
    """Return the graph without its per-module rows beyond the busiest `rows` (event-sized)."""
    busiest = sorted(graph["modules"], key=lambda m: (-m["fan_in"], -m["fan_out"], m["name"]))
    return {**graph, "modules": busiest[:rows]}


def architect(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: map the import graph of the session's workspace."""
    graph = map_imports(Path(state["workspace"]))
    cycles = len(graph["cycles"])
    _say(
        Phase.RESULT,
        f"{graph['module_count']} modules, {graph['edge_count']} internal imports, "
        f"{cycles} import cycle{'s' if cycles != 1 else ''}",
        pct=1.0,
        data=summary(graph),
    )
    return {"graph": graph}
