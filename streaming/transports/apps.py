from __future__ import annotations

from django.apps import AppConfig


class TransportsConfig(AppConfig):
    name = "streaming.transports"
    label = "agentstream_transports"
    verbose_name = "Agent session transports"

    def ready(self) -> None:
        from streaming.transports import checks  # noqa: F401  registers the system checks
