"""The runs' settings: ``AGENTSTREAM_<NAME>`` in Django's settings, read live.

Checked at start by `streaming.runs.checks`. No workflow and no workspace is named here: the
project's settings register them (``AGENTSTREAM_WORKFLOWS``, ``AGENTSTREAM_WORKSPACE_ROOT``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

from django.conf import settings


class RunSettings:
    @property
    def RUNNER(self) -> Literal["inline", "worker"]:
        """`inline`: workflows run in the server process that started them; `worker`: in
        ``manage.py runworker agents`` processes."""
        return cast(Literal["inline", "worker"], getattr(settings, "AGENTSTREAM_RUNNER", "inline"))

    @property
    def WORKFLOWS(self) -> dict[str, Any]:
        """Registered workflows: name -> a `Workflow` or the dotted path of one."""
        return cast(dict[str, Any], getattr(settings, "AGENTSTREAM_WORKFLOWS", {}))

    @property
    def DEFAULT_WORKFLOW(self) -> str | None:
        """The workflow a session runs when it names none (None: the first registered)."""
        return cast("str | None", getattr(settings, "AGENTSTREAM_DEFAULT_WORKFLOW", None))

    @property
    def MAX_CONCURRENT_RUNS(self) -> int:
        """Workflow runs at once per process; the rest wait as pending."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_CONCURRENT_RUNS", 8))

    @property
    def SESSIONS_PER_MINUTE(self) -> int:
        """Sessions one user may start per minute (429 `rate_limited` past it)."""
        return cast(int, getattr(settings, "AGENTSTREAM_SESSIONS_PER_MINUTE", 60))

    @property
    def LEASE_SECONDS(self) -> float:
        """Seconds a runner's lease on a session lasts without a heartbeat."""
        return cast(float, getattr(settings, "AGENTSTREAM_LEASE_SECONDS", 30))

    @property
    def WORKSPACE_ROOT(self) -> Path | None:
        """The folder of workspaces; each session's workspace is a folder directly inside."""
        root = getattr(settings, "AGENTSTREAM_WORKSPACE_ROOT", None)
        return None if root is None or root == "" else Path(root)

    @property
    def DEFAULT_WORKSPACE(self) -> str | None:
        """The workspace of a session that names none (None: a session must name one)."""
        return cast("str | None", getattr(settings, "AGENTSTREAM_DEFAULT_WORKSPACE", None))


conf = RunSettings()
