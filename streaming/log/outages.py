"""One WARNING when a dependency goes, one INFO when it comes back: never a line per batch.

The database and the channel layer fail for seconds at a time (a restart, a failover). Every
part that meets the failure reports it here (`failed`), and every part that gets through again
says so (`recovered`); each dependency logs the start of an outage once and its end once, with
how long it lasted and how many operations failed meanwhile. `ChannelsRedisReceiveErrors` folds
channels-redis' own once-a-second receive errors into the channel layer's outage.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import Error as DjangoDatabaseError

logger = logging.getLogger(__name__)


class Outage:
    """The state of one dependency as this process has seen it (thread-safe)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.failures = 0
        self._since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException | str) -> None:
        """Count one failed operation; the first of an outage logs a WARNING."""
        with self._lock:
            self.failures += 1
            if self._since is not None:
                return
            self._since = time.monotonic()
        logger.warning("the %s is unavailable: %s", self.name, exc)

    def recovered(self) -> None:
        """Note an operation that got through; the first after an outage logs an INFO."""
        if self._since is None:  # the common case: no lock, no log
            return
        with self._lock:
            since, failures = self._since, self.failures
            if since is None:
                return
            self._since, self.failures = None, 0
        logger.info(
            "the %s is back after %.1f s (%d failed operations meanwhile)",
            self.name,
            time.monotonic() - since,
            failures,
        )


database = Outage("database")
channel_layer = Outage("channel layer")


class ChannelsRedisReceiveErrors(logging.Filter):
    """A logging filter for ``channels_redis``: its receive loop logs an ERROR with a traceback
    every second while Redis is down; count them into the channel layer's outage instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Unexpected exception in receive task"):
            exc = record.exc_info[1] if record.exc_info else None
            channel_layer.failed(exc if exc is not None else record.getMessage())
            return False
        return True


def is_database_error(exc: BaseException) -> bool:
    """Return True for an error of the database or its driver (an outage, not a bug)."""
    if isinstance(exc, DjangoDatabaseError):
        return True
    return type(exc).__module__.split(".")[0] in {"psycopg", "psycopg_pool", "sqlite3"}
