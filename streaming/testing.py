"""Helpers for testing code that streams through agentstream (shipped with the app)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from channels.layers import channel_layers

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


def database_url() -> str:
    """Return a DATABASE_URL for the database this process uses now (in tests: the test
    database), so a server or worker started as a subprocess shares it."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str | int)}
    query = urlencode(options)
    return f"postgres://{auth}{host}:{port}/{quote(db['NAME'], safe='')}" + (
        f"?{query}" if query else ""
    )


def http_scope(
    path: str,
    *,
    method: str = "GET",
    query: str = "",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> dict[str, Any]:
    """Return an ASGI HTTP scope for `path` on localhost, as daphne would build it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


def reset_channel_layers() -> None:
    """Forget channel-layer instances, so the next `get_channel_layer()` builds a fresh one."""
    channel_layers.backends.clear()
