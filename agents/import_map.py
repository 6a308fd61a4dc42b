"""The import graph's data, assembled from the parsed files of a workspace.

`build_map` names every file (`agents.modules`), resolves every import (`agents.imports`) and
returns plain JSON-able data: one row per module (its imports, each marked when it runs only in a
function or only for type checkers, its external packages, definitions, line counts), the
components of mutually importing modules, and the standard-library and third-party packages with
the modules that import them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from agents.cycles import strongly_connected
from agents.imports import STRENGTH, Import, ModuleSource, classify_external, resolve
from agents.modules import SPECIAL, STDLIB, Layout, Naming, infer_root_package, top_level
from agents.notes import MAX_NOTES, Capped

_CONTEXTS = {strength: context for context, strength in STRENGTH.items()}
#: Importing modules named beside each external package.
IMPORTERS_SHOWN = 5


@dataclass(frozen=True)
class Tree:
    """The workspace's Python files and folders, as the architect found them."""

    sources: dict[str, ModuleSource]  # by path, in walk order
    package_dirs: set[str]
    has_src: bool
    workspace_name: str = ""


def _names(layout: Layout, paths: list[str]) -> dict[str, Naming]:
    """Name every path; a second file claiming a name already taken is named by its path."""
    names: dict[str, Naming] = {}
    taken: set[str] = set()
    for path in paths:
        naming = layout.naming(path)
        if naming.kind != "script" and naming.name in taken:
            naming = Naming(path, "script")
        taken.add(naming.name)
        names[path] = naming
    return names


def _written(imported: Import) -> str:
    if imported.name and imported.name != "*":
        return f"{imported.module}.{imported.name}"
    return imported.module


def name_modules(tree: Tree) -> tuple[Layout, dict[str, Naming], dict[str, str]]:
    """Return the layout, each file's name, and the namespace packages (name → folder)."""
    paths = list(tree.sources)
    layout = Layout(tree.package_dirs, has_src=tree.has_src)
    names = _names(layout, paths)
    known = {n.name for n in names.values() if n.kind != "script"}
    known |= set(layout.namespace_packages(paths))
    pairs = (
        (names[path].name, _written(imp))
        for path, source in tree.sources.items()
        for imp in source.imports
        if not imp.level and names[path].kind != "script"
    )
    root = infer_root_package(pairs, known)
    if root is None and layout.root_is_package and tree.workspace_name.isidentifier():
        root = tree.workspace_name
    if root is not None:
        layout = Layout(tree.package_dirs, has_src=tree.has_src, root_name=root)
        names = _names(layout, paths)
    # A regular package or a module of the same name wins over a namespace portion, as in Python.
    taken = {n.name for n in names.values()}
    namespaces = {n: folder for n, folder in layout.namespace_packages(paths).items()}
    return layout, names, {n: f for n, f in namespaces.items() if n not in taken}


def _siblings(names: dict[str, Naming], package_dirs: set[str]) -> dict[str, dict[str, str]]:
    """Return, per folder outside any regular package, its files' bare names → module names."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for path, naming in names.items():
        pure = PurePosixPath(path)
        folder = str(pure.parent)
        if folder not in package_dirs and pure.stem != "__init__":
            found[folder][pure.stem] = naming.name
    return found


def build_map(tree: Tree) -> dict[str, Any]:
    """Return the import graph of the parsed files in `tree` as data (see the module docstring)."""
    layout, names, namespaces = name_modules(tree)
    known = {n.name for n in names.values() if n.kind != "script"} | set(namespaces)
    tops = {top_level(name) for name in known}
    siblings = _siblings(names, tree.package_dirs)
    edges: dict[str, dict[str, tuple[int, int]]] = {}
    external: dict[str, set[str]] = defaultdict(set)
    unresolved: Capped[dict[str, str]] = Capped(MAX_NOTES)
    for path, source in tree.sources.items():
        naming = names[path]
        package = None
        if naming.kind == "package":
            package = naming.name
        elif naming.kind == "module" and "." in naming.name:
            package = naming.name.rpartition(".")[0]
        folder = str(PurePosixPath(path).parent)
        near = siblings.get(folder) if folder not in tree.package_dirs else None
        mine: dict[str, tuple[int, int]] = {}
        for imported in source.imports:
            found = resolve(imported, importer=naming.name, package=package, known=known, tops=tops)
            target = found.internal
            if found.external and found.external not in STDLIB and near and found.external in near:
                target = near[found.external]  # a script's neighbour, as its folder is on sys.path
            elif found.external and found.external not in SPECIAL:
                external[found.external].add(naming.name)
            elif found.unresolved:
                unresolved.add({"module": naming.name, "import": found.unresolved})
            if target is None or target == naming.name:
                continue
            strength = STRENGTH[imported.context]
            if target not in mine or strength > mine[target][0]:
                mine[target] = (strength, imported.line)
        edges[naming.name] = mine
    for name in namespaces:
        edges.setdefault(name, {})
    return _data(tree, names, namespaces, edges, external, unresolved) | {
        "root_package": layout.root_name or None,
        "source_roots": ["src"] if layout.src_root else [],
    }


def _data(
    tree: Tree,
    names: dict[str, Naming],
    namespaces: dict[str, str],
    edges: dict[str, dict[str, tuple[int, int]]],
    external: dict[str, set[str]],
    unresolved: Capped[dict[str, str]],
) -> dict[str, Any]:
    fan_in: dict[str, int] = defaultdict(int)
    for imported in edges.values():
        for target in imported:
            fan_in[target] += 1
    rows: list[dict[str, Any]] = []
    for path, source in tree.sources.items():
        naming = names[path]
        mine = edges[naming.name]
        targets = sorted(mine)
        rows.append(
            {
                "name": naming.name,
                "path": path,
                "kind": naming.kind,
                "lines": source.lines,
                "fan_in": fan_in[naming.name],
                "fan_out": len(mine),
                "imports": targets,
                "import_lines": [mine[t][1] for t in targets],
                "lazy": [t for t in targets if _CONTEXTS[mine[t][0]] == "function"],
                "type_only": [t for t in targets if _CONTEXTS[mine[t][0]] == "type_checking"],
                "external": sorted(n for n, users in external.items() if naming.name in users),
                "definitions": [list(d) for d in source.definitions],
                "main_guard": source.main_guard,
            }
        )
    for name, folder in namespaces.items():
        rows.append(
            {
                "name": name,
                "path": folder,
                "kind": "namespace",
                "lines": 0,
                "fan_in": fan_in[name],
                "fan_out": 0,
                "imports": [],
                "import_lines": [],
                "lazy": [],
                "type_only": [],
                "external": [],
                "definitions": [],
                "main_guard": False,
            }
        )
    rows.sort(key=lambda row: row["name"])
    stdlib, third_party = classify_external(set(external))
    at_import = STRENGTH["module"]
    runtime = {m: {t for t, (s, _) in ts.items() if s == at_import} for m, ts in edges.items()}
    cycles = strongly_connected({m: set(ts) for m, ts in edges.items()})

    def packages(selected: list[str]) -> list[dict[str, Any]]:
        listed = [
            {
                "name": name,
                "modules": len(external[name]),
                "importers": sorted(external[name])[:IMPORTERS_SHOWN],
            }
            for name in selected
        ]
        return sorted(listed, key=lambda p: (-p["modules"], p["name"]))

    return {
        "modules": rows,
        "module_count": sum(1 for row in rows if row["kind"] != "namespace"),
        "namespace_count": len(namespaces),
        "edge_count": sum(len(targets) for targets in edges.values()),
        "lazy_edge_count": sum(len(row["lazy"]) for row in rows),
        "type_only_edge_count": sum(len(row["type_only"]) for row in rows),
        "cycles": cycles,
        "cycle_count": len(cycles),
        "import_time_cycle_count": len(strongly_connected(runtime)),
        "stdlib": packages(stdlib),
        "stdlib_count": len(stdlib),
        "third_party": packages(third_party),
        "third_party_count": len(third_party),
        "unresolved": unresolved.items,
        "unresolved_count": unresolved.count,
    }
