"""The architect agent: the Python import graph (modules, imports, cycles) from `ast`.

A plain sync function run by LangGraph in its executor. One walk lists the workspace's Python
files and packages; each file is then parsed (with progress), and `agents.import_map` names the
modules as Python imports them and resolves their imports. Files over the size limit, unreadable
files and modules past `MAX_MODULES` are skipped with a note; files that do not parse are
recorded with their line. Lists that grow with the workspace keep their first items and a count.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from agents.conf import conf
from agents.files import FileEntry, python_files, read_bytes, walk
from agents.import_map import Tree, build_map
from agents.imports import ModuleSource, parse_source
from agents.notes import MAX_NOTES, Capped, say
from agents.packaging import read_declarations
from agents.progress import ProgressMeter
from agents.state import WorkflowState
from agents.wording import count
from streaming import Phase

AGENT = "architect"
#: Module rows and list items an event carries (the state keeps them all).
EVENT_ROWS = 10
_EVENT_FIELDS = ("name", "path", "kind", "lines", "fan_in", "fan_out", "imports")


@dataclass
class Parsed:
    """What parsing found: each file's source facts by path (walk order), the first files that
    do not parse (and their count), the first skipped files (and their count)."""

    sources: dict[str, ModuleSource] = field(default_factory=dict)
    parse_errors: Capped[dict[str, Any]] = field(
        default_factory=lambda: Capped(int(conf.REPORT_ROWS))
    )
    skipped: Capped[dict[str, Any]] = field(default_factory=lambda: Capped(MAX_NOTES))


def map_imports(root: Path, workspace_name: str = "") -> dict[str, Any]:
    """Parse the Python files under `root`, emitting events, and return the import graph."""
    max_modules = int(conf.MAX_MODULES)
    package_dirs: set[str] = set()
    has_src = False
    for entry in walk(root):
        pure = PurePosixPath(entry.path)
        if pure.name == "__init__.py" and not entry.symlink:
            package_dirs.add(str(pure.parent))
        has_src = has_src or pure.parts[0] == "src"
    found = sum(1 for _ in python_files(root))
    candidates = list(itertools.islice(python_files(root), max_modules))
    parsed = Parsed()
    parsed.skipped.count = found - len(candidates)
    if parsed.skipped.count:
        say(
            AGENT,
            Phase.THINK,
            f"{count(found, 'Python file')}; mapping the first {max_modules:,} by path",
            data={"limit": max_modules, "found": found},
        )
    total = len(candidates)
    say(AGENT, Phase.THINK, f"Parsing {count(total, 'Python module')}", data={"total": total})
    parse_files(candidates, parsed)
    tree = Tree(parsed.sources, package_dirs, has_src, workspace_name)
    graph = build_map(tree)
    project = read_declarations(root, int(conf.MAX_FILE_BYTES))
    return graph | {
        "parse_errors": parsed.parse_errors.items,
        "parse_error_count": parsed.parse_errors.count,
        "skipped": parsed.skipped.items,
        "skipped_count": parsed.skipped.count,
        "project": project,
        "entry_points": entry_points(graph["modules"], project["scripts"]),
    }


def parse_files(entries: Sequence[FileEntry], parsed: Parsed) -> Parsed:
    """Parse `entries` into `parsed`, emitting progress and a note for the first few problems.

    A file over the size limit, or one that cannot be read (unreadable, or gone since it was
    listed), is skipped with a note; one that does not parse is recorded. Neither stops the run.
    """
    limit = int(conf.MAX_FILE_BYTES)
    meter = ProgressMeter(AGENT, len(entries), unit="modules")
    for entry in entries:
        source = _read(entry, limit, parsed.skipped)
        if source is not None:
            try:
                parsed.sources[entry.path] = parse_source(source, path=entry.path)
            except SyntaxError as exc:
                error = {"path": entry.path, "line": exc.lineno, "message": exc.msg}
                parsed.parse_errors.add(error)
                if parsed.parse_errors.count <= MAX_NOTES:
                    where = f" (line {exc.lineno})" if exc.lineno else ""
                    say(AGENT, Phase.PROGRESS, f"{entry.path} does not parse: {exc.msg}{where}")
        meter.advance(f"Parsed {meter.done + 1:,} of {count(meter.total, 'module')}")
    if parsed.parse_errors.count > MAX_NOTES:
        more = parsed.parse_errors.count - MAX_NOTES
        msg = f"{count(more, 'more file')} do not parse (counted in the result)"
        say(AGENT, Phase.PROGRESS, msg)
    return parsed


def _read(entry: FileEntry, limit: int, skipped: Capped[dict[str, Any]]) -> bytes | None:
    """Return the file's source, or None after noting why it is skipped."""
    try:
        source = read_bytes(entry, limit)
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


def entry_points(rows: list[dict[str, Any]], scripts: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Return where the workspace starts: console scripts, ``__main__`` modules, modules with a
    ``__name__ == "__main__"`` block, and ``manage.py``."""
    by_name = {row["name"]: row for row in rows}
    found: list[dict[str, Any]] = []
    for script in scripts:
        module = script["target"].partition(":")[0].strip()
        row = by_name.get(module)
        found.append(
            {
                "module": module,
                "path": row["path"] if row else None,
                "how": "console script",
                "script": script["name"],
                "found": row is not None,
            }
        )
    for row in rows:
        if row["name"].rpartition(".")[2] == "__main__":
            how = "__main__ module"
        elif PurePosixPath(row["path"]).name == "manage.py":
            how = "manage.py"
        elif row["main_guard"]:
            how = "main block"
        else:
            continue
        found.append({"module": row["name"], "path": row["path"], "how": how, "found": True})
    return found


def summary(graph: dict[str, Any], rows: int = EVENT_ROWS) -> dict[str, Any]:
    """Return the graph as an event carries it: the busiest `rows` modules (their first
    `MAX_NOTES` imports; `fan_out` counts them all), the first `MAX_NOTES` items of every other
    list (their counts are in the graph), the largest cycles by their size and first members."""
    busiest = sorted(graph["modules"], key=lambda m: (-m["fan_in"], -m["fan_out"], m["name"]))
    modules = [
        {key: m[key] for key in _EVENT_FIELDS} | {"imports": m["imports"][:MAX_NOTES]}
        for m in busiest[:rows]
    ]
    cycles = [
        {"size": len(cycle), "modules": cycle[:MAX_NOTES]} for cycle in graph["cycles"][:MAX_NOTES]
    ]
    listed = ("stdlib", "third_party", "entry_points")
    project = graph["project"]
    return {
        **{k: v for k, v in graph.items() if k not in {"modules", "cycles", "project"}},
        **{key: graph[key][:MAX_NOTES] for key in listed},
        "modules": modules,
        "cycles": cycles,
        "entry_point_count": len(graph["entry_points"]),
        "project": {
            "dependencies": project["dependencies"][:MAX_NOTES],
            "dependency_count": len(project["dependencies"]),
            "scripts": project["scripts"][:MAX_NOTES],
            "files": project["files"],
        },
    }


def architect(state: WorkflowState) -> dict[str, Any]:
    """LangGraph node: map the import graph of the session's workspace."""
    graph = map_imports(Path(state["workspace"]), state.get("workspace_name", ""))
    say(
        AGENT,
        Phase.RESULT,
        f"{count(graph['module_count'], 'module')}, "
        f"{count(graph['edge_count'], 'internal import')}, "
        f"{count(graph['cycle_count'], 'import cycle')}",
        pct=1.0,
        data=summary(graph),
    )
    return {"graph": graph}
