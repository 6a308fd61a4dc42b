"""System checks for the agents' settings, with stable ids (agentstream.E101…)."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.core.checks import Error, Tags, Warning, register

from agents.conf import agent_settings
from streaming.conf import app_settings


@register(Tags.compatibility)
def check_agent_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    errors: list[Any] = []
    for name in ("MAX_FILE_BYTES", "MAX_MODULES", "REPORT_ROWS", "MAX_STEPS"):
        value = getattr(agent_settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive integer.", id="agentstream.E101")
            )
    if isinstance(app_settings.LLM, str) and importlib.util.find_spec("langchain") is None:
        errors.append(
            Warning(
                f"AGENTSTREAM_LLM={app_settings.LLM!r} names a chat model, but the model "
                "packages are not installed; sessions will fail.",
                hint='pip install -e ".[llm]"',
                id="agentstream.W101",
            )
        )
    return errors
