"""Helpers for testing code that streams through agentstream (shipped with the app)."""

from __future__ import annotations

import asyncio
import inspect
import os
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlencode, urlsplit

from channels.layers import channel_layers

T = TypeVar("T")

#: How long `eventually` waits by default: a deadline, not a timing (test machines are shared).
WITHIN = 10.0
#: How often `eventually` asks by default.
INTERVAL = 0.02

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


# -- waiting for something to happen ----------------------------------------------------------


async def eventually(
    check: Callable[[], T | Awaitable[T]],
    *,
    within: float = WITHIN,
    interval: float = INTERVAL,
    what: str = "the condition",
) -> T:
    """Return the first truthy value of `check()` (awaited if it is awaitable), asking every
    `interval` seconds; at the deadline (`within` seconds) raise AssertionError naming `what`.

    `check` may also raise AssertionError to say "not yet" and why; the message at the deadline
    shows the last value (or assertion) seen. The one way the tests wait for a condition.
    """
    poll = _Poll(what, within)
    while True:
        try:
            value = check()
            if inspect.isawaitable(value):
                value = await value
        except AssertionError as failure:
            poll.failed(failure)
        else:
            if value:
                return cast(T, value)
            poll.saw(value)
        if poll.expired():
            raise poll.timed_out() from poll.failure
        await asyncio.sleep(interval)


def eventually_sync(
    check: Callable[[], T],
    *,
    within: float = WITHIN,
    interval: float = INTERVAL,
    what: str = "the condition",
) -> T:
    """`eventually` for code without a running event loop (threads, session fixtures)."""
    poll = _Poll(what, within)
    while True:
        try:
            value = check()
        except AssertionError as failure:
            poll.failed(failure)
        else:
            if inspect.isawaitable(value):
                if inspect.iscoroutine(value):
                    value.close()  # never to be awaited: no "never awaited" warning either
                raise TypeError(f"{what}: an async check needs `eventually`, not `eventually_sync`")
            if value:
                return value
            poll.saw(value)
        if poll.expired():
            raise poll.timed_out() from poll.failure
        time.sleep(interval)


@dataclass
class _Poll:
    """One wait of `eventually`: its deadline, its tries and what the last one saw."""

    what: str
    within: float
    deadline: float = 0.0
    tries: int = 0
    last: str = "nothing"
    failure: AssertionError | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.within

    def saw(self, value: object) -> None:
        self.tries += 1
        self.last = _shorten(repr(value))
        self.failure = None

    def failed(self, failure: AssertionError) -> None:
        self.tries += 1
        self.last = _shorten(str(failure) or "an AssertionError")
        self.failure = failure

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def timed_out(self) -> AssertionError:
        waited = f"not within {self.within:g} s ({self.tries} tries)"
        return AssertionError(f"{self.what}: {waited}; last seen: {self.last}")


def _shorten(text: str, limit: int = 2_000) -> str:
    return text if len(text) <= limit else f"{text[: limit - 15]}… ({len(text)} chars)"
