"""System checks for the runs' settings and the registered workflows (agentstream.E002…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from streaming.log.checks import is_positive_int, is_positive_number
from streaming.runs import workflows
from streaming.runs.conf import conf


@register(Tags.compatibility)
def check_run_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if conf.RUNNER not in {"inline", "worker"}:
        errors.append(
            Error("AGENTSTREAM_RUNNER must be 'inline' or 'worker'.", id="agentstream.E002")
        )
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    if conf.RUNNER == "worker" and "InMemory" in backend:
        errors.append(
            Error(
                "AGENTSTREAM_RUNNER=worker needs a shared channel layer.",
                hint="Set REDIS_URL so web and worker processes share channels-redis.",
                id="agentstream.E003",
            )
        )
    root = conf.WORKSPACE_ROOT
    if root is None or not root.is_dir():
        errors.append(
            Error(
                f"AGENTSTREAM_WORKSPACE_ROOT {root} is not a folder.",
                hint="Set it to the folder that holds the workspaces (one folder each).",
                id="agentstream.E004",
            )
        )
    for name in ("MAX_CONCURRENT_RUNS", "SESSIONS_PER_MINUTE"):
        if not is_positive_int(getattr(conf, name)):
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive integer.", id="agentstream.E005")
            )
    if not is_positive_number(conf.LEASE_SECONDS):
        errors.append(
            Error("AGENTSTREAM_LEASE_SECONDS must be a positive number.", id="agentstream.E006")
        )
    default = conf.DEFAULT_WORKSPACE
    if default is not None and (not isinstance(default, str) or not default):
        errors.append(
            Error(
                "AGENTSTREAM_DEFAULT_WORKSPACE must be a workspace name or unset.",
                id="agentstream.E008",
            )
        )
    errors.extend(workflows.check_registry())
    if "sqlite" in settings.DATABASES["default"]["ENGINE"] and conf.RUNNER == "worker":
        errors.append(
            Warning(
                "Worker mode on SQLite: several processes share one file database.",
                hint="Use DATABASE_URL=postgres://... with workers.",
                id="agentstream.W001",
            )
        )
    return errors
