"""The survey's settings: ``AGENTSTREAM_<NAME>`` in Django's settings, read live.

The same mechanism as each room of `streaming` (one typed property per setting); checked at
start by `agents.checks`.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from django.conf import settings


class AgentSettings:
    @property
    def MAX_FILE_BYTES(self) -> int:
        """Files larger than this are counted by size only: not read, parsed or compiled."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_FILE_BYTES", 1024 * 1024))

    @property
    def MAX_MODULES(self) -> int:
        """Python modules the architect maps at most; the rest are skipped with a note."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_MODULES", 20_000))

    @property
    def REPORT_ROWS(self) -> int:
        """Rows of each table in the report (largest files, modules); the rest are summarised."""
        return cast(int, getattr(settings, "AGENTSTREAM_REPORT_ROWS", 25))

    @property
    def MAX_STEPS(self) -> int:
        """Steps the graph may take before LangGraph stops it (a guard against a looping model)."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_STEPS", 40))

    @property
    def REPORT_DIR(self) -> Path:
        """The folder each session's final report is written to as ``<session id>.md``."""
        folder = getattr(settings, "AGENTSTREAM_REPORT_DIR", None)
        return Path(folder) if folder else Path(settings.BASE_DIR) / "reports"

    @property
    def LLM(self) -> str | None:
        """A chat model for ``init_chat_model`` (``openai:…``); None: the deterministic agents."""
        return cast("str | None", getattr(settings, "AGENTSTREAM_LLM", None) or None)


conf = AgentSettings()
