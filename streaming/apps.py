from __future__ import annotations

from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "streaming"
    verbose_name = "Agent sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from streaming import checks  # noqa: F401  registers the system checks
        from streaming.lifecycle import install_exit_drain

        install_exit_drain()
