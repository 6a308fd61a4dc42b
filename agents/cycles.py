"""Import cycles: the strongly connected components of the import graph, and what breaks them.

A cycle is reported as its component (every module that reaches every other), never as a chain,
since a group of 170 mutually importing modules is not one loop. `breakers` finds the imports
whose removal shrinks a component most: each candidate edge is removed in turn and the component
recomputed, the candidates chosen first among the edges a module cannot do without (its only way
in or out of the component) and capped so a huge component stays quick.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Edges tried when looking for the imports that break a component most.
MAX_CANDIDATES = 120


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Return the components of more than one module, each sorted, largest first, then by name.

    Tarjan's algorithm, iterative (no recursion limit on deep graphs); targets that are not keys
    of `graph` are ignored.
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
    return sorted(components, key=lambda c: (-len(c), c))


def within(graph: Mapping[str, Iterable[str]], members: Iterable[str]) -> dict[str, set[str]]:
    """Return the edges of `graph` between `members` only."""
    inside = set(members)
    return {m: {t for t in graph.get(m, ()) if t in inside and t != m} for m in inside}


def largest_left(sub: Mapping[str, set[str]], edge: tuple[str, str]) -> int:
    """Return the size of the largest component left in `sub` without `edge` (1: none left)."""
    source, target = edge
    trimmed = {m: (ts - {target} if m == source else ts) for m, ts in sub.items()}
    components = strongly_connected(trimmed)
    return len(components[0]) if components else 1


def breakers(
    sub: Mapping[str, set[str]], *, keep: int = 3, budget: int = MAX_CANDIDATES
) -> list[dict[str, Any]]:
    """Return up to `keep` imports of component `sub` whose removal leaves the smallest largest
    component, as ``{"importer", "imported", "largest_left"}``, best first."""
    fan_in: dict[str, int] = {m: 0 for m in sub}
    for targets in sub.values():
        for target in targets:
            fan_in[target] += 1
    edges = [(m, t) for m, ts in sub.items() for t in ts]
    # An edge that is its importer's only way out, or its target's only way in, holds that
    # module in the cycle; try those first, then the edges between the least connected.
    edges.sort(key=lambda e: (min(len(sub[e[0]]), fan_in[e[1]]), e))
    tried = [(largest_left(sub, edge), edge) for edge in edges[:budget]]
    tried.sort()
    return [
        {"importer": source, "imported": target, "largest_left": left}
        for left, (source, target) in tried[:keep]
    ]
