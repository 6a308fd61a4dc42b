"""The event log's settings: ``AGENTSTREAM_<NAME>`` in Django's settings, read live.

One typed property per setting (the shape of django-cors-headers' ``corsheaders/conf.py``), so
``override_settings`` takes effect at once and nothing is copied at import time. Every setting
is checked at start by `streaming.log.checks`.
"""

from __future__ import annotations

from typing import Literal, cast

from django.conf import settings


class LogSettings:
    @property
    def EMIT_WITHOUT_SESSION(self) -> Literal["warn", "raise"]:
        """What `emit` does with no session bound: log a warning and drop, or raise."""
        return cast(
            Literal["warn", "raise"], getattr(settings, "AGENTSTREAM_EMIT_WITHOUT_SESSION", "warn")
        )

    @property
    def MAX_QUEUE(self) -> int:
        """Events queued in one process before emitters are slowed down (backpressure)."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_QUEUE", 10_000))

    @property
    def MAX_BATCH(self) -> int:
        """Most events the bus's writer stores in one transaction."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_BATCH", 1_000))

    @property
    def MAX_PUBLISH_EVENTS(self) -> int:
        """A stored batch larger than this rings the group bare: `last_seq` and no events."""
        return cast(int, getattr(settings, "AGENTSTREAM_MAX_PUBLISH_EVENTS", 500))

    @property
    def REPLAY_PAGE(self) -> int:
        """Rows per read of a stream's backlog: read and sent page by page, never whole."""
        return cast(int, getattr(settings, "AGENTSTREAM_REPLAY_PAGE", 1_000))

    @property
    def REPLAY_THREADS(self) -> int:
        """Threads (each with its own connection) that run the streams' reads."""
        return cast(int, getattr(settings, "AGENTSTREAM_REPLAY_THREADS", 4))

    @property
    def IDLE_POLL_SECONDS(self) -> float:
        """A stream that heard nothing this long rereads its session's last_seq."""
        return cast(float, getattr(settings, "AGENTSTREAM_IDLE_POLL_SECONDS", 1.0))

    @property
    def GROUP_REFRESH_SECONDS(self) -> float:
        """Streams re-join their group this often, well inside channels-redis' group_expiry."""
        return cast(float, getattr(settings, "AGENTSTREAM_GROUP_REFRESH_SECONDS", 3_600.0))

    @property
    def CLIENT_BUFFER(self) -> int:
        """Bytes one stream may hold for a slow client: half as live events in its tail (past
        it they are read back from the database later), half queued at the server."""
        return cast(int, getattr(settings, "AGENTSTREAM_CLIENT_BUFFER", 1024 * 1024))


conf = LogSettings()
