"""What agentstream asks of daphne beyond its command-line options (`install`, called by the
project's ASGI module before daphne serves).

- A WebSocket message larger than daphne's own limit (``--websocket_max_message_size``, 1 MiB
  by default) is answered with a close frame with code 1009, as RFC 6455 says, instead of a
  dropped TCP connection (autobahn's ``failByDrop``, which daphne leaves on).
- A WebSocket that the application accepts after autobahn dropped it (its opening handshake
  timeout, ``--websocket_connect_timeout``, fired while the consumer was still deciding) stays
  closed. Completing the handshake would set autobahn's state back to open; its
  ``connectionLost`` then fails (``AlreadyCalledError``) before it tells daphne, so the consumer
  never gets ``websocket.disconnect`` and lives as long as the process. Under a reconnect storm
  on a busy server this left a consumer, its tail and its doorbell behind for every such client.
- Every connection gets a `streaming.transports.flow.Flow` in its ASGI scope's extensions, so a
  stream can bound what a slow client has queued at the server.
- An error that Twisted catches (an exception in a protocol's callback or a timed call, which
  Twisted logs as "Unhandled Error") is logged at ERROR by this module's logger. daphne sends
  Twisted's own log nowhere below ``-v 2``, and the bug above was silent for that reason.

Each patches one method of daphne's classes, idempotently; without daphne (another server,
Channels' test communicators) nothing changes.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any, cast

from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.logger import ILogObserver, formatEvent, globalLogPublisher

from streaming.transports.flow import EXTENSION, Flow

logger = logging.getLogger(__name__)

_MARK = "_agentstream_patched"
_observing = False


def log_twisted_failure(event: dict[str, Any]) -> None:
    """A Twisted log observer: an event that carries a failure becomes an ERROR record here."""
    failure = event.get("log_failure")
    if failure is None:
        return
    logger.error(
        "Twisted: %s",
        formatEvent(event) or "unhandled error",
        exc_info=(failure.type, failure.value, failure.getTracebackObject()),
    )


def install() -> None:
    """Patch daphne's WebSocket options, late accepts and applications' scopes, and log what
    Twisted catches (once per process)."""
    global _observing
    if not _observing:
        globalLogPublisher.addObserver(cast(ILogObserver, log_twisted_failure))
        _observing = True
    set_options = WebSocketFactory.setProtocolOptions
    if not getattr(set_options, _MARK, False):

        @wraps(set_options)
        def setProtocolOptions(self: WebSocketFactory, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("failByDrop", False)
            set_options(self, *args, **kwargs)

        setattr(setProtocolOptions, _MARK, True)
        WebSocketFactory.setProtocolOptions = setProtocolOptions

    server_accept = WebSocketProtocol.serverAccept
    if not getattr(server_accept, _MARK, False):

        @wraps(server_accept)
        def serverAccept(self: WebSocketProtocol, subprotocol: str | None = None) -> None:
            if self.state != self.STATE_CONNECTING:  # dropped while the application decided
                if hasattr(self, "handshake_deferred"):
                    del self.handshake_deferred  # answered: no HTTP error for it either
                return
            server_accept(self, subprotocol)

        setattr(serverAccept, _MARK, True)
        WebSocketProtocol.serverAccept = serverAccept

    create_application = Server.create_application
    if not getattr(create_application, _MARK, False):

        @wraps(create_application)
        def with_flow(self: Server, protocol: Any, scope: dict[str, Any]) -> Any:
            # A WebSocket's bytes go straight to its transport, which still has the HTTP channel
            # that upgraded it as its producer; an HTTP response's go through its request.
            websocket = scope.get("type") == "websocket"
            connection = protocol if websocket else getattr(protocol, "channel", None)
            transport = getattr(connection, "transport", None)
            target = transport if websocket else protocol
            if target is not None:
                flow = Flow(target, handle=handle_of(transport), takes_over=websocket)
                scope.setdefault("extensions", {})[EXTENSION] = flow
            return create_application(self, protocol, scope)

        setattr(with_flow, _MARK, True)
        Server.create_application = with_flow


def handle_of(transport: Any) -> Any:
    """The socket under a Twisted transport (TLS included), or None."""
    try:
        return transport.getHandle()
    except Exception:
        return None
