"""Settings of the agents, read live from django.conf.settings with their defaults.

Read through `agent_settings` (``agent_settings.MAX_FILE_BYTES``), never copied at import time, so
``override_settings`` in tests takes effect. The runner's settings live in `streaming.conf`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Files larger than this are counted by size only: not read, parsed or compiled.
    "MAX_FILE_BYTES": 1024 * 1024,
    # Python modules the architect maps at most; the rest are skipped with a note.
    "MAX_MODULES": 20_000,
    # Folder the final report of each session is written to as <session id>.md.
    "REPORT_DIR": None,
    # Rows of each table in the report (largest files, modules); the rest are summarised.
    "REPORT_ROWS": 25,
    # Steps the graph may take before LangGraph stops it (a guard against a looping model).
    "MAX_STEPS": 40,
}


class AgentSettings:
    """Attribute access to ``AGENTSTREAM_<NAME>`` settings, falling back to `DEFAULTS`."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, f"AGENTSTREAM_{name}", DEFAULTS[name])

    @property
    def report_dir(self) -> Path:
        folder = self.REPORT_DIR
        if folder is None:
            folder = Path(settings.BASE_DIR) / "reports"
        return Path(folder)


agent_settings = AgentSettings()
