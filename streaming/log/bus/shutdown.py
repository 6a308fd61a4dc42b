"""Draining the bus when the process stops.

Daphne has no ASGI lifespan, so `install_server_drain` hooks Twisted's "before shutdown" trigger
(called from the project's ASGI module); `install_exit_drain` is the atexit fallback for management
commands and workers. A ``kill -9`` loses only events still queued, never one that an
``emit(..., wait=True)`` or ``flush()`` returned for.
"""

from __future__ import annotations

import atexit
import logging
import sys

from streaming.log.bus import get_bus

logger = logging.getLogger(__name__)
_installed: set[str] = set()


def _drain() -> None:
    bus = get_bus()
    if bus.queued():
        logger.info("draining %d queued events before exit", bus.queued())
    bus.drain()


def install_exit_drain() -> None:
    """Drain the bus at interpreter exit (once per process)."""
    if "atexit" not in _installed:
        _installed.add("atexit")
        atexit.register(_drain)


def install_server_drain() -> None:
    """Drain the bus before daphne's Twisted reactor shuts down, if one is installed."""
    if "reactor" in _installed or "twisted.internet.reactor" not in sys.modules:
        return
    reactor = sys.modules["twisted.internet.reactor"]
    _installed.add("reactor")
    reactor.addSystemEventTrigger("before", "shutdown", _drain)
