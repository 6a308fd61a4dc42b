"""The transports' settings: ``AGENTSTREAM_<NAME>`` in Django's settings, read live.

Checked at start by `streaming.transports.checks`; see docs/transports.md.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings


class TransportSettings:
    @property
    def SSE_KEEPALIVE_SECONDS(self) -> float:
        """Seconds between SSE comment lines while a stream is idle (docs/protocol.md: <= 15)."""
        return cast(float, getattr(settings, "AGENTSTREAM_SSE_KEEPALIVE_SECONDS", 15.0))

    @property
    def WS_MAX_CLIENT_FRAME(self) -> int:
        """Largest WebSocket frame a client may send (64 KiB, else `too_large`)."""
        return cast(int, getattr(settings, "AGENTSTREAM_WS_MAX_CLIENT_FRAME", 64 * 1024))

    @property
    def WS_BATCH_BYTES(self) -> int:
        """Largest `events` batch frame the server sends (many clients cap a message at 1 MiB)."""
        return cast(int, getattr(settings, "AGENTSTREAM_WS_BATCH_BYTES", 256 * 1024))


conf = TransportSettings()
