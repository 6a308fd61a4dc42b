"""The architect's graph data, queried: what depends on a module, what it depends on, where a
name is defined, which module a user means.

`ImportGraph` is built from the data in the workflow's state (no I/O). Codesmith's answers, the
model's tools and the reviewer's checks all ask it the same questions, so what the report says
and what the reviewer recomputes come from one place.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from typing import Any

from agents.file_kinds import is_test

_SEPARATORS = re.compile(r"[/\\]")


class ImportGraph:
    """Queries over one workspace's import graph (the architect's data)."""

    def __init__(self, graph: dict[str, Any]) -> None:
        self.data = graph
        self.rows: dict[str, dict[str, Any]] = {row["name"]: row for row in graph["modules"]}
        self.imports: dict[str, set[str]] = {n: set(r["imports"]) for n, r in self.rows.items()}
        self.importers: dict[str, set[str]] = {name: set() for name in self.rows}
        for name, targets in self.imports.items():
            for target in targets:
                self.importers.setdefault(target, set()).add(name)
        self.by_path = {row["path"]: name for name, row in self.rows.items()}
        self._components: dict[str, list[str]] | None = None

    # -- which module is meant ----------------------------------------------------------------

    def find(self, text: str) -> list[str]:
        """Return the modules `text` names: a module, a dotted tail of one (``models.query``), a
        file or folder path; the exact match alone when there is one, else every candidate."""
        text = text.strip().strip("`'\"").rstrip("/").removeprefix("./")
        if not text:
            return []
        if text in self.rows:
            return [text]
        path = _SEPARATORS.sub("/", text)
        for candidate in (path, f"{path}.py", f"{path}/__init__.py", f"{path}/"):
            if candidate in self.by_path:
                return [self.by_path[candidate]]
        dotted = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        tails = [n for n in self.rows if n == dotted or n.endswith(f".{dotted}")]
        if tails:
            shortest = min(len(n) for n in tails)
            best = [n for n in tails if len(n) == shortest]
            return sorted(best if len(best) == 1 else tails)
        return []

    def kind_of_edge(self, importer: str, imported: str) -> str | None:
        """Return ``module``, ``function`` or ``type_checking`` for an import, None if none."""
        row = self.rows.get(importer)
        if row is None or imported not in self.imports[importer]:
            return None
        if imported in row["lazy"]:
            return "function"
        if imported in row["type_only"]:
            return "type_checking"
        return "module"

    def line_of(self, importer: str, imported: str) -> int | None:
        """Return the line of `importer` that imports `imported`."""
        row = self.rows[importer]
        try:
            return int(row["import_lines"][row["imports"].index(imported)])
        except (ValueError, IndexError):
            return None

    # -- reach --------------------------------------------------------------------------------

    def reach(self, name: str, *, upstream: bool) -> dict[str, int]:
        """Return the modules `name` reaches (its dependencies) or that reach it (upstream: its
        dependents), each with its distance in imports; `name` itself is left out."""
        edges = self.importers if upstream else self.imports
        seen = {name: 0}
        queue = deque([name])
        while queue:
            current = queue.popleft()
            for neighbour in edges.get(current, ()):
                if neighbour not in seen:
                    seen[neighbour] = seen[current] + 1
                    queue.append(neighbour)
        del seen[name]
        return seen

    def chain(self, start: str, goal: str) -> list[str]:
        """Return a shortest import chain from `start` to `goal` (empty when there is none)."""
        previous: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            if current == goal:
                path = [current]
                while (step := previous[path[-1]]) is not None:
                    path.append(step)
                return path[::-1]
            for neighbour in sorted(self.imports.get(current, ())):
                if neighbour not in previous:
                    previous[neighbour] = current
                    queue.append(neighbour)
        return []

    def component(self, name: str) -> list[str]:
        """Return the import cycle (component) `name` belongs to, or [] when it is in none."""
        if self._components is None:
            self._components = {m: cycle for cycle in self.data["cycles"] for m in cycle}
        return self._components.get(name, [])

    # -- the whole graph ----------------------------------------------------------------------

    def files(self) -> Iterable[dict[str, Any]]:
        """Yield the rows of modules that are files (namespace packages have none)."""
        return (row for row in self.rows.values() if row["kind"] != "namespace")

    def central(self) -> list[dict[str, Any]]:
        """Return the modules with importers, most imported first."""
        ranked = [row for row in self.rows.values() if row["fan_in"]]
        return sorted(ranked, key=lambda r: (-r["fan_in"], -r["fan_out"], r["name"]))

    def largest(self) -> list[dict[str, Any]]:
        """Return the file modules, longest first."""
        return sorted(self.files(), key=lambda r: (-r["lines"], r["name"]))

    def entry_modules(self) -> set[str]:
        """Return the modules where the workspace starts (see `agents.architect.entry_points`)."""
        return {e["module"] for e in self.data["entry_points"] if e["found"]}

    def unused(self) -> dict[str, list[str]]:
        """Return the modules nothing imports, split into ``unused`` and the expected roots:
        ``entry_points`` and ``tests``. A package whose submodules are imported is used (Python
        runs its ``__init__`` first)."""
        imported_prefixes = {
            ".".join(name.split(".")[:i])
            for name, row in self.rows.items()
            if row["fan_in"]
            for i in range(1, name.count(".") + 1)
        }
        entries = self.entry_modules()
        found: dict[str, list[str]] = {"unused": [], "entry_points": [], "tests": []}
        for row in sorted(self.files(), key=lambda r: r["name"]):
            name = row["name"]
            if row["fan_in"] or (row["kind"] == "package" and name in imported_prefixes):
                continue
            if is_test(row["path"]):
                found["tests"].append(name)
            elif name in entries:
                found["entry_points"].append(name)
            else:
                found["unused"].append(name)
        return found

    def definitions(self, name: str) -> list[dict[str, Any]]:
        """Return where `name` (``Cart``, ``Cart.add`` or ``add``) is defined at the top of a
        module or as a method, in module order."""
        wanted = name.strip().strip("`'\"()")
        found = []
        for row in sorted(self.files(), key=lambda r: r["name"]):
            for defined, line, kind in row["definitions"]:
                if defined == wanted or defined.rpartition(".")[2] == wanted:
                    found.append(
                        {"module": row["name"], "path": row["path"], "name": defined}
                        | {"line": line, "kind": kind}
                    )
        return found
