"""Helpers for testing code that streams through agentstream (shipped with the app)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from channels.layers import channel_layers

from streaming.bus import EventBus, reset_bus

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def services_required() -> bool:
    """Return True when missing services must fail tests (AGENTSTREAM_REQUIRE_SERVICES=1)."""
    return os.environ.get("AGENTSTREAM_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def reachable(url: str, timeout: float = 0.5) -> bool:
    """Return True if something accepts TCP connections at the host and port of `url`."""
    parts = urlsplit(url)
    default_port = {"redis": 6379, "rediss": 6379}.get(parts.scheme, 5432)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout
        ):
            return True
    except OSError:
        return False


def postgres_url() -> str:
    """The PostgreSQL that service tests use: DATABASE_URL if it is one, else the local server."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return os.environ.get("AGENTSTREAM_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def redis_url() -> str:
    """The Redis that service tests use: REDIS_URL, else the local server."""
    return os.environ.get("REDIS_URL") or os.environ.get(
        "AGENTSTREAM_TEST_REDIS_URL", DEFAULT_REDIS_URL
    )


def reset_channel_layers() -> None:
    """Forget channel-layer instances, so the next `get_channel_layer()` builds a fresh one."""
    channel_layers.backends.clear()


@contextmanager
def fresh_bus() -> Iterator[EventBus]:
    """Give the block a fresh event bus, drained and replaced again afterwards."""
    bus = reset_bus()
    try:
        yield bus
    finally:
        reset_bus()


def new_session_id() -> uuid.UUID:
    return uuid.uuid4()
