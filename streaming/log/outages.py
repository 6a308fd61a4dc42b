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


class Unavailable(ConnectionError):
    """Refused at once: the dependency is down and was asked less than a second ago."""


class Outage:
    """The state of one dependency as this process has seen it (thread-safe)."""

    #: While down, new work asks the dependency at most this often; the rest is refused at once.
    RETRY_INTERVAL = 1.0

    def __init__(self, name: str) -> None:
        self.name = name
        self.failures = 0
        self._since: float | None = None
        self._last_failure = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException | str) -> None:
        """Count one failed operation; the first of an outage logs a WARNING."""
        with self._lock:
            self.failures += 1
            if isinstance(exc, Unavailable):
                return  # refused without asking: the next attempt is not put off by it
            self._last_failure = time.monotonic()
            if self._since is not None:
                return
            self._since = self._last_failure
        # An exception without a message (a TimeoutError) is named by its repr instead.
        logger.warning("the %s is unavailable: %s", self.name, str(exc) or repr(exc))

    def worth_trying(self) -> bool:
        """Return False while down and the last failure is under `RETRY_INTERVAL` old: a new
        connection is then answered "unavailable" at once instead of waiting for a timeout."""
        return self._since is None or time.monotonic() - self._last_failure >= self.RETRY_INTERVAL

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


class PoolConnectionErrors(logging.Filter):
    """A logging filter for ``psycopg.pool``, whose logger must let INFO through (as
    project/settings.py sets it). While the database is down the pool logs a WARNING per failed
    connection attempt: each counts into the database's outage instead. The connection it adds
    next ends the outage (its INFO "adding new connection"), since a server process whose
    streams are fed by the doorbell may read nothing for a long time. The pool's other INFO
    records are dropped, as are its warnings about connections (broken, closed, returned in a
    bad state: what an outage does to them); its other warnings pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno < logging.WARNING:
            if message.startswith("adding new connection"):
                database.recovered()
            return False
        if record.levelno == logging.WARNING and "connection" in message:
            database.failed(message)
            return False
        return True


class ChannelsRedisReceiveErrors(logging.Filter):
    """A logging filter for ``channels_redis``: its receive loop logs an ERROR with a traceback
    every second while Redis is down; count them into the channel layer's outage instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Unexpected exception"):
            exc = record.exc_info[1] if record.exc_info else None
            channel_layer.failed(exc if exc is not None else record.getMessage())
            return False
        return True


def is_transient(exc: BaseException) -> bool:
    """Return True for a database error that a retry may get past: the server or the
    connection is gone (Django's or the driver's OperationalError or InterfaceError)."""
    return any(c.__name__ in {"OperationalError", "InterfaceError"} for c in type(exc).__mro__)


def is_database_error(exc: BaseException) -> bool:
    """Return True for an error of the database or its driver (an outage, not a bug)."""
    if isinstance(exc, Unavailable):
        return True
    if isinstance(exc, DjangoDatabaseError):
        return True
    return type(exc).__module__.split(".")[0] in {"psycopg", "psycopg_pool", "sqlite3"}
