"""agentstream's settings, read live from django.conf.settings with their defaults.

Read through the `app_settings` object (``app_settings.MAX_QUEUE``), never copied at import time,
so ``override_settings`` in tests takes effect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # What `emit` does with no session bound: "warn" (log a warning and drop) or "raise".
    "EMIT_WITHOUT_SESSION": "warn",
    # Events queued in one process before emitters are slowed down (backpressure).
    "MAX_QUEUE": 10_000,
    # Most events the writer stores in one transaction.
    "MAX_BATCH": 1_000,
    # A published batch larger than this carries no events, only `last_seq` (a bare doorbell).
    "MAX_PUBLISH_EVENTS": 500,
    # Folder of workspaces; each session's workspace is a folder directly inside it.
    "WORKSPACE_ROOT": None,
    "DEFAULT_WORKSPACE": "sample",
    # "inline" or "worker" (PROTOCOL.md).
    "RUNNER": "inline",
    # Dotted path of the coroutine function that runs a session's workflow.
    "WORKFLOW": "agents.workflow.run_workflow",
    # Concurrent workflow runs per process; the rest wait as pending.
    "MAX_CONCURRENT_RUNS": 8,
    # Sessions one user may start per minute (429 rate_limited past it).
    "SESSIONS_PER_MINUTE": 60,
    # Seconds a runner's lease on a session lasts without a heartbeat.
    "LEASE_SECONDS": 30,
    "LLM": None,
}


class AppSettings:
    """Attribute access to ``AGENTSTREAM_<NAME>`` settings, falling back to `DEFAULTS`."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, f"AGENTSTREAM_{name}", DEFAULTS[name])

    @property
    def workspace_root(self) -> Path:
        root = self.WORKSPACE_ROOT
        if root is None:
            root = Path(settings.BASE_DIR) / "agents" / "workspaces"
        return Path(root)


app_settings = AppSettings()
