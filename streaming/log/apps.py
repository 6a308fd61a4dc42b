"""The event log as a Django app.

Its label stays ``streaming`` (the app's name before the rooms were split), so its tables,
migrations and admin URLs (``admin:streaming_event_changelist``) are unchanged.
"""

from __future__ import annotations

from django.apps import AppConfig


class LogConfig(AppConfig):
    name = "streaming.log"
    label = "streaming"
    verbose_name = "Agent sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registered here, once the app registry is ready (Django's documented place for both).
        from streaming.log import checks  # noqa: F401
        from streaming.log.bus.shutdown import install_exit_drain

        install_exit_drain()
