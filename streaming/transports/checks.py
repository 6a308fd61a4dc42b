"""System checks for the transports' settings, with stable ids (agentstream.E201…)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from streaming.log.checks import is_positive_int, is_positive_number
from streaming.transports.conf import conf


@register(Tags.compatibility)
def check_transport_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    keepalive = conf.SSE_KEEPALIVE_SECONDS
    if not is_positive_number(keepalive) or keepalive > 15:
        errors.append(
            Error(
                "AGENTSTREAM_SSE_KEEPALIVE_SECONDS must be a number above 0 and at most 15.",
                hint="docs/protocol.md promises a comment line at least every 15 s.",
                id="agentstream.E201",
            )
        )
    for name in ("WS_MAX_CLIENT_FRAME", "WS_BATCH_BYTES"):
        if not is_positive_int(getattr(conf, name)):
            errors.append(
                Error(f"AGENTSTREAM_{name} must be a positive integer.", id="agentstream.E202")
            )
    return errors
