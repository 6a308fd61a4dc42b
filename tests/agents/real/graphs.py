"""The survey's graph of a real workspace, made once per run (its events are dropped)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import grimp

from agents.architect import map_imports


@cache
def surveyed(root: Path) -> dict[str, Any]:
    """The architect's graph of the workspace at `root` (treat it as read-only)."""
    return map_imports(root, root.name)


def grimp_edges(graph: grimp.ImportGraph, modules: set[str]) -> set[tuple[str, str]]:
    """grimp's imports between `modules`, without a module's import of itself."""
    return {
        (importer, imported)
        for importer in modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported != importer
    }
