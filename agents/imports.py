"""The Python import graph of a workspace, from `ast`: module names, imports, cycles.

Pure functions over data, no I/O and no events: the architect agent feeds them file by file.
A module's name is its dotted path from the top of its package (a folder chain holding
``__init__.py``); a file outside any package is named by its path from the workspace root.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

STDLIB = frozenset(sys.stdlib_module_names)


@dataclass
class ModuleInfo:
    """One parsed module and the imports it makes, as written (resolved later)."""

    name: str
    path: str
    is_package: bool
    lines: int
    imports: list[tuple[str, int, str | None]] = field(
        default_factory=list
    )  # (module, level, name)


def module_name(path: str, package_dirs: set[str]) -> tuple[str, bool]:
    """Return (dotted module name, is a package's ``__init__``) for the file at `path`.

    `package_dirs` holds the workspace folders (POSIX, relative) that contain ``__init__.py``.
    """
    pure = PurePosixPath(path)
    parts = list(pure.parent.parts)
    # The package chain: the longest run of package folders ending at the file's folder.
    start = len(parts)
    while start > 0 and "/".join(parts[:start]) in package_dirs:
        start -= 1
    if start == len(parts):  # not in a package: name it by its path from the root
        start = 0
    names = parts[start:]
    is_package = pure.stem == "__init__"
    if not is_package:
        names.append(pure.stem)
    return ".".join(names) or pure.stem, is_package


def parse_module(source: str, *, name: str, path: str, is_package: bool) -> ModuleInfo:
    """Parse `source` and return its imports; raise SyntaxError if it does not parse."""
    tree = ast.parse(source, filename=path)
    info = ModuleInfo(name=name, path=path, is_package=is_package, lines=_count_lines(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            info.imports.extend((alias.name, 0, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            info.imports.extend((node.module or "", node.level, a.name) for a in node.names)
    return info


def _count_lines(source: str) -> int:
    return source.count("\n") + (not source.endswith("\n") and bool(source))


def resolve(info: ModuleInfo, known: set[str]) -> tuple[set[str], set[str], set[str]]:
    """Return (internal modules imported, external top-level names, unresolved relative imports)."""
    internal: set[str] = set()
    external: set[str] = set()
    unresolved: set[str] = set()
    for module, level, name in info.imports:
        if level:
            base = info.name.split(".")
            if not info.is_package:
                base = base[:-1]
            if level - 1 >= len(base):  # beyond the top-level package
                unresolved.add("." * level + module)
                continue
            base = base[: len(base) - (level - 1)]
            target = ".".join([*base, module] if module else base)
        else:
            target = module
        found = _longest_known(target, name, known)
        if found is not None:
            if found != info.name:
                internal.add(found)
        elif level:
            unresolved.add("." * level + module)
        else:
            external.add(target.split(".")[0])
    return internal, external, unresolved


def _longest_known(target: str, name: str | None, known: set[str]) -> str | None:
    if name and name != "*" and target and f"{target}.{name}" in known:
        return f"{target}.{name}"
    if name and not target and name in known:
        return name
    parts = target.split(".") if target else []
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the import cycles: components of more than one module, each sorted, in name order.

    Tarjan's algorithm, iterative (no recursion limit on deep graphs).
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def classify_external(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split external top-level names into (standard library, third party), each sorted."""
    stdlib = sorted(n for n in set(names) if n in STDLIB)
    others = sorted(n for n in set(names) if n not in STDLIB and n != "__future__")
    return stdlib, others
