"""The survey's data for a workspace, made without a session (its events are dropped)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from agents.architect import map_imports

SAMPLE = Path(__file__).resolve().parents[2] / "agents" / "workspaces" / "sample"


@functools.cache
def sample_graph() -> dict[str, Any]:
    """The architect's graph of the shipped sample (made once; treat it as read-only)."""
    return map_imports(SAMPLE, "sample")
