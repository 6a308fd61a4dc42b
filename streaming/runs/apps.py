from __future__ import annotations

from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "streaming.runs"
    label = "agentstream_runs"
    verbose_name = "Agent session runs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from streaming.runs import checks  # noqa: F401  registers the system checks
