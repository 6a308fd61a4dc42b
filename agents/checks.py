"""System checks for the survey's settings, with stable ids (agentstream.E101…)."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from agents.conf import conf


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@register(Tags.compatibility)
def check_agent_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for name in ("MAX_FILE_BYTES", "MAX_MODULES", "REPORT_ROWS", "MAX_STEPS"):
        if not _positive_int(getattr(conf, name)):
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive integer.", id="agentstream.E101")
            )
    llm = conf.LLM
    if llm is not None and not isinstance(llm, str):
        errors.append(
            Error("AGENTSTREAM_LLM must be a model name or unset.", id="agentstream.E102")
        )
    elif llm and importlib.util.find_spec("langchain") is None:
        errors.append(
            Warning(
                f"AGENTSTREAM_LLM={llm!r} names a chat model, but the model "
                "packages are not installed; sessions will fail.",
                hint='pip install -e ".[llm]"',
                id="agentstream.W101",
            )
        )
    try:
        conf.REPORT_DIR  # noqa: B018  the property builds a Path, which is the check
    except TypeError:
        errors.append(
            Error("AGENTSTREAM_REPORT_DIR must be a folder path or unset.", id="agentstream.E103")
        )
    return errors
