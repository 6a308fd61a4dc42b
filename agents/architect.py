"""The architect agent: the Python import graph (modules, fan-in/fan-out, cycles) from `ast`.

A plain sync function run by LangGraph in its executor. Two passes over the workspace's Python
files: the first names every module (so imports can be resolved against the workspace), the
second parses each file and records its imports. Files over the size limit, unreadable files and
modules past `MAX_MODULES` are skipped with a note. Lists that grow with the workspace (files
that do not parse, skipped files, unresolved imports) keep their first items and a count.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from agents.conf import conf
from agents.files import FileEntry, python_files, read_text, walk
from agents.imports import (
    ModuleInfo,
    classify_external,
    module_name,
    parse_module,
    resolve,
    strongly_connected,
)
from agents.notes import MAX_NOTES, Capped, say
from agents.progress import ProgressMeter
from agents.state import WorkflowState
from streaming import Phase

AGENT = "architect"


@dataclass
class Parsed:
    """What parsing found: modules by name, the first files that do not parse (and their
    count), the first skipped files (and their count)."""

    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    parse_errors: Capped[dict[str, Any]] = field(
        default_factory=lambda: Capped(int(conf.REPORT_ROWS))
    )
    skipped: Capped[dict[str, Any]] = field(default_factory=lambda: Capped(MAX_NOTES))


def map_imports(root: Path) -> dict[str, Any]:
    """Parse the Python files under `root`, emitting events, and return the import graph."""
    max_modules = int(conf.MAX_MODULES)
    package_dirs = {
        str(PurePosixPath(entry.path).parent)
        for entry in walk(root)
        if PurePosixPath(entry.path).name == "__init__.py" and not entry.symlink
    }
    found = sum(1 for _ in python_files(root))
    candidates = list(itertools.islice(python_files(root), max_modules))
    parsed = Parsed()
    parsed.skipped.count = found - len(candidates)
    if parsed.skipped.count:
        say(
            AGENT,
            Phase.THINK,
            f"{found} Python files; mapping the first {max_modules} by path",
            data={"limit": max_modules, "found": found},
        )
    total = len(candidates)
    say(AGENT, Phase.THINK, f"Parsing {total} Python modules", data={"total": total})
    return _graph_data(parse_files(candidates, package_dirs, parsed))


def parse_files(entries: Sequence[FileEntry], package_dirs: set[str], parsed: Parsed) -> Parsed:
    """Parse `entries` into `parsed`, emitting progress and a note for the first few problems.

    A file over the size limit, or one that cannot be read (unreadable, or gone since it was
    listed), is skipped with a note; one that does not parse is recorded. Neither stops the run.
    """
    limit = int(conf.MAX_FILE_BYTES)
    meter = ProgressMeter(AGENT, len(entries), unit="modules")
    for entry in entries:
        name, is_package = module_name(entry.path, package_dirs)
        if name in parsed.modules:  # two files claim one name (e.g. scripts in two folders)
            name = entry.path.removesuffix(".py").replace("/", ".")
        source = _read(entry, limit, parsed.skipped)
        if source is not None:
            try:
                parsed.modules[name] = parse_module(
                    source, name=name, path=entry.path, is_package=is_package
                )
            except SyntaxError as exc:
                error = {"path": entry.path, "line": exc.lineno or 0, "message": exc.msg}
                parsed.parse_errors.add(error)
                if parsed.parse_errors.count <= MAX_NOTES:
                    msg = f"{entry.path} does not parse: {exc.msg} (line {exc.lineno})"
                    say(AGENT, Phase.PROGRESS, msg)
        meter.advance(f"Parsed {meter.done + 1} of {meter.total} modules")
    if parsed.parse_errors.count > MAX_NOTES:
        more = parsed.parse_errors.count - MAX_NOTES
        say(AGENT, Phase.PROGRESS, f"{more} more files do not parse (counted in the result)")
    return parsed


def _read(entry: FileEntry, limit: int, skipped: Capped[dict[str, Any]]) -> str | None:
    """Return the file's source, or None after noting why it is skipped."""
    try:
        source = read_text(entry, limit)
    except OSError as exc:
        reason = f"unreadable ({exc.strerror or exc}): not parsed"
        if skipped.add({"path": entry.path, "reason": reason, "bytes": entry.size}):
            say(AGENT, Phase.PROGRESS, f"Skipped {entry.path}: {reason}")
        return None
    if source is None:
        reason = f"larger than the {limit}-byte limit: not parsed"
        if skipped.add({"path": entry.path, "reason": reason, "bytes": entry.size}):
            say(AGENT, Phase.PROGRESS, f"Skipped {entry.path} ({entry.size} bytes): {reason}")
    return source


def _graph_data(parsed: Parsed) -> dict[str, Any]:
    modules, parse_errors, skipped = parsed.modules, parsed.parse_errors, parsed.skipped
    known = set(modules)
    edges: dict[str, set[str]] = {}
    fan_in: dict[str, set[str]] = {name: set() for name in modules}
    external_users: dict[str, set[str]] = {}
    unresolved: Capped[dict[str, str]] = Capped(MAX_NOTES)
    for name, info in modules.items():
        internal, external, missing = resolve(info, known)
        edges[name] = internal
        for target in internal:
            fan_in[target].add(name)
        for package in external:
            external_users.setdefault(package, set()).add(name)
        for import_ in sorted(missing):
            unresolved.add({"module": name, "import": import_})
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
        "stdlib_count": len(stdlib),
        "third_party": [{"name": n, "modules": len(external_users[n])} for n in third_party],
        "third_party_count": len(third_party),
        "unresolved": unresolved.items,
        "unresolved_count": unresolved.count,
        "parse_errors": parse_errors.items,
        "parse_error_count": parse_errors.count,
        "skipped": skipped.items,
        "skipped_count": skipped.count,
    }


def summary(graph: dict[str, Any], rows: int = 10) -> dict[str, Any]:
    """Return the graph as an event carries it: the busiest `rows` modules (with their first
    `MAX_NOTES` imports; `fan_out` counts them all), and the first `MAX_NOTES` cycles and
    external packages (their counts are in the graph)."""
    busiest = sorted(graph["modules"], key=lambda m: (-m["fan_in"], -m["fan_out"], m["name"]))
    return {
        **graph,
        "modules": [{**m, "imports": m["imports"][:MAX_NOTES]} for m in busiest[:rows]],
        "cycles": graph["cycles"][:MAX_NOTES],
        "stdlib": graph["stdlib"][:MAX_NOTES],
        "third_party": graph["third_party"][:MAX_NOTES],
    }


def architect(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: map the import graph of the session's workspace."""
    graph = map_imports(Path(state["workspace"]))
    cycles = len(graph["cycles"])
    say(
        AGENT,
        Phase.RESULT,
        f"{graph['module_count']} modules, {graph['edge_count']} internal imports, "
        f"{cycles} import cycle{'s' if cycles != 1 else ''}",
        pct=1.0,
        data=summary(graph),
    )
    return {"graph": graph}
