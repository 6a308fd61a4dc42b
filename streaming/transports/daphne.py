"""What agentstream asks of daphne beyond its command-line options (`install`, called by the
project's ASGI module before daphne serves).

- A WebSocket message larger than daphne's own limit (``--websocket_max_message_size``, 1 MiB
  by default) is answered with a close frame with code 1009, as RFC 6455 says, instead of a
  dropped TCP connection (autobahn's ``failByDrop``, which daphne leaves on).
- Every connection gets a `streaming.transports.flow.Flow` in its ASGI scope's extensions, so a
  stream can bound what a slow client has queued at the server.

Both patch one method each of daphne's classes, idempotently; without daphne (another server,
Channels' test communicators) nothing changes.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory

from streaming.transports.flow import EXTENSION, Flow

_MARK = "_agentstream_patched"
#: Whether connections get a `Flow`. Off for now: the reconnect storm of
#: tests/faults/test_storms.py does not pass reliably yet, with or without it, so it is not
#: validated under one; see docs/transports.md, "Slow clients".
FLOW_CONTROL = False


def install() -> None:
    """Patch daphne's WebSocket options and its applications' scopes (once per process)."""
    set_options = WebSocketFactory.setProtocolOptions
    if not getattr(set_options, _MARK, False):

        @wraps(set_options)
        def setProtocolOptions(self: WebSocketFactory, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("failByDrop", False)
            set_options(self, *args, **kwargs)

        setattr(setProtocolOptions, _MARK, True)
        WebSocketFactory.setProtocolOptions = setProtocolOptions

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
            if target is not None and FLOW_CONTROL:
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
