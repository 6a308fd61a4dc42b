"""Settings of the live transports, read live like `streaming.conf.app_settings`.

They are ``AGENTSTREAM_<NAME>`` Django settings with the defaults below (see docs/transports.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

TRANSPORT_DEFAULTS: dict[str, Any] = {
    # Rows per replay read: a backlog is read and sent page by page, never loaded whole.
    "REPLAY_PAGE": 1_000,
    # Threads (each with its own database connection) that run the streams' reads, so a big
    # replay never waits for, nor holds, the thread Django's async ORM shares per process.
    "REPLAY_THREADS": 4,
    # A live stream that heard nothing for this long rereads its session's last_seq, in case
    # the channel layer dropped a message (one query per process for all idle streams).
    "IDLE_POLL_SECONDS": 1.0,
    # Seconds between SSE comment lines while a stream is idle (PROTOCOL.md: at most 15).
    "SSE_KEEPALIVE_SECONDS": 15.0,
    # Bytes of live events one stream holds for a slow client; past it they are dropped and
    # the stream catches up from the database once the client reads again.
    "STREAM_BUFFER_BYTES": 1024 * 1024,
    # Largest WebSocket frame a client may send (PROTOCOL.md: 64 KiB, else `too_large`).
    "WS_MAX_CLIENT_FRAME": 64 * 1024,
    # Largest `events` batch frame the server sends (many clients cap a message at 1 MiB).
    "WS_BATCH_BYTES": 256 * 1024,
    # Streams re-join their group this often, well inside channels-redis' group_expiry.
    "GROUP_REFRESH_SECONDS": 3_600.0,
}


def transport_setting(name: str) -> Any:
    """Return ``settings.AGENTSTREAM_<name>``, or its default from `TRANSPORT_DEFAULTS`."""
    return getattr(settings, f"AGENTSTREAM_{name}", TRANSPORT_DEFAULTS[name])
