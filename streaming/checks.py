"""System checks for agentstream's settings, with stable ids (agentstream.E001…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from streaming.conf import app_settings


@register(Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors: list[Any] = []
    if app_settings.EMIT_WITHOUT_SESSION not in {"warn", "raise"}:
        errors.append(
            Error(
                "AGENTSTREAM_EMIT_WITHOUT_SESSION must be 'warn' or 'raise'.",
                id="agentstream.E001",
            )
        )
    if app_settings.RUNNER not in {"inline", "worker"}:
        errors.append(
            Error("AGENTSTREAM_RUNNER must be 'inline' or 'worker'.", id="agentstream.E002")
        )
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    if app_settings.RUNNER == "worker" and "InMemory" in backend:
        errors.append(
            Error(
                "AGENTSTREAM_RUNNER=worker needs a shared channel layer.",
                hint="Set REDIS_URL so web and worker processes share channels-redis.",
                id="agentstream.E003",
            )
        )
    root = app_settings.workspace_root
    if not root.is_dir():
        errors.append(
            Error(
                f"AGENTSTREAM_WORKSPACE_ROOT {root} is not a folder.",
                id="agentstream.E004",
            )
        )
    for name in ("MAX_QUEUE", "MAX_BATCH", "MAX_CONCURRENT_RUNS", "SESSIONS_PER_MINUTE"):
        value = getattr(app_settings, name)
        if not isinstance(value, int) or value < 1:
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive integer.", id="agentstream.E005")
            )
    if "sqlite" in settings.DATABASES["default"]["ENGINE"] and app_settings.RUNNER == "worker":
        errors.append(
            Warning(
                "Worker mode on SQLite: several processes share one file database.",
                hint="Use DATABASE_URL=postgres://... with workers.",
                id="agentstream.W001",
            )
        )
    return errors
