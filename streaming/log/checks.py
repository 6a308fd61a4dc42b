"""System checks for the event log's settings, with stable ids (agentstream.E001…)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from streaming.log.conf import conf

POSITIVE_INTS = ("MAX_QUEUE", "MAX_BATCH", "MAX_PUBLISH_EVENTS", "REPLAY_PAGE", "REPLAY_THREADS")
POSITIVE_NUMBERS = ("IDLE_POLL_SECONDS", "GROUP_REFRESH_SECONDS")


def is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def is_positive_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


@register(Tags.compatibility)
def check_log_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if conf.EMIT_WITHOUT_SESSION not in {"warn", "raise"}:
        errors.append(
            Error(
                "AGENTSTREAM_EMIT_WITHOUT_SESSION must be 'warn' or 'raise'.",
                id="agentstream.E001",
            )
        )
    for name in POSITIVE_INTS:
        if not is_positive_int(getattr(conf, name)):
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive integer.", id="agentstream.E005")
            )
    for name in POSITIVE_NUMBERS:
        if not is_positive_number(getattr(conf, name)):
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive number.", id="agentstream.E006")
            )
    if not is_positive_int(conf.CLIENT_BUFFER) or conf.CLIENT_BUFFER < 2048:
        errors.append(
            Error(
                "AGENTSTREAM_CLIENT_BUFFER must be an integer of at least 2048.",
                id="agentstream.E007",
            )
        )
    return errors
