"""What `install` asks of daphne: 1009 instead of a dropped connection, a late accept that stays
closed, a Flow per connection, Twisted's caught errors logged."""

from __future__ import annotations

import asyncio
import logging

from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet.address import IPv4Address
from twisted.internet.error import ConnectionAborted
from twisted.internet.testing import StringTransport
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.http import HTTPChannel

from streaming.testing import eventually
from streaming.transports.daphne import install
from streaming.transports.flow import EXTENSION, Flow


def test_websocket_factories_close_with_a_frame_instead_of_dropping():
    install()
    install()  # idempotent
    factory = WebSocketFactory(server_class=None)
    factory.setProtocolOptions(maxMessagePayloadSize=1024)
    assert factory.failByDrop is False
    assert factory.maxMessagePayloadSize == 1024
    factory.setProtocolOptions(failByDrop=True)  # an explicit choice still wins
    assert factory.failByDrop is True


class Transport:
    handle = object()

    def getHandle(self) -> object:
        return self.handle


class Channel:
    transport = Transport()


class Protocol:
    transport = Transport()
    channel = Channel()  # an HTTP request's connection (Twisted's HTTPChannel)


async def test_every_application_scope_gets_a_flow():
    install()
    seen: list[dict] = []

    def application(*, scope, receive, send):
        seen.append(scope)

        async def run():
            return None

        return run()

    server = Server(application=application, endpoints=["tcp:port=0"])
    http, ws = Protocol(), Protocol()
    server.connections = {http: {}, ws: {}}
    server.create_application(http, {"type": "http"})
    server.create_application(ws, {"type": "websocket"})
    for connection in server.connections.values():
        await connection["application_instance"]
    flows = [scope["extensions"][EXTENSION] for scope in seen]
    assert all(isinstance(flow, Flow) for flow in flows)
    assert flows[0]._target is http  # HTTP: the request itself produces
    assert flows[0]._handle is http.channel.transport.handle  # ... on its channel's socket
    assert flows[1]._target is ws.transport  # WebSocket: its TCP transport
    assert flows[1]._handle is ws.transport.handle
    assert (flows[0]._takes_over, flows[1]._takes_over) == (False, True)


HANDSHAKE = (
    b"GET /ws/sessions/x/ HTTP/1.1\r\nHost: testserver\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


def websocket(server: Server) -> tuple[WebSocketProtocol, StringTransport]:
    """daphne's own WebSocket protocol for `server`, opened as daphne opens one (the HTTP
    upgrade request handed over): the application has it and is deciding whether to accept."""
    server.connections = {}
    factory = WebSocketFactory(server, server="Daphne")
    factory.setProtocolOptions(openHandshakeTimeout=0)  # the test fires the timeout itself
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    protocol._raw_query_string = b""
    transport = StringTransport()
    HTTPChannel().makeConnection(transport)  # the channel that upgraded it stays its producer
    protocol.makeConnection(transport)
    protocol.dataReceived(HANDSHAKE)
    return protocol, transport


async def test_a_websocket_accepted_after_its_opening_handshake_timed_out_still_disconnects():
    # The race of a busy server: autobahn's opening handshake timeout drops the connection
    # (state closed, abortConnection, connectionLost on the next reactor turn), and the
    # consumer's accept arrives in between. Before, the accept reopened autobahn's state and its
    # connectionLost raised AlreadyCalledError before it told daphne: no websocket.disconnect.
    install()
    received: list[dict] = []

    def application(*, scope, receive, send):
        async def run():
            while True:
                message = await receive()
                received.append(message)
                if message["type"] == "websocket.disconnect":
                    return

        return run()

    server = Server(application=application, endpoints=["tcp:port=0"])
    protocol, transport = websocket(server)
    await eventually(lambda: received == [{"type": "websocket.connect"}], what="connect")
    protocol.onOpenHandshakeTimeout()
    assert protocol.state == protocol.STATE_CLOSED
    protocol.handle_reply({"type": "websocket.accept"})  # the consumer decided, too late
    assert protocol.state == protocol.STATE_CLOSED
    assert b"101 Switching Protocols" not in transport.value()
    protocol.connectionLost(Failure(ConnectionAborted()))  # the abort's next turn
    await asyncio.wait_for(server.connections[protocol]["application_instance"], 2)
    assert received[-1]["type"] == "websocket.disconnect"
    assert "disconnected" in server.connections[protocol]


async def test_a_websocket_accepted_in_time_opens():
    install()

    def application(*, scope, receive, send):
        async def run():
            await receive()

        return run()

    server = Server(application=application, endpoints=["tcp:port=0"])
    protocol, transport = websocket(server)
    protocol.handle_reply({"type": "websocket.accept"})
    assert protocol.state == protocol.STATE_OPEN
    assert transport.value().startswith(b"HTTP/1.1 101 Switching Protocols")
    protocol.connectionLost(Failure(ConnectionAborted()))
    assert "disconnected" in server.connections[protocol]


def test_what_twisted_catches_is_logged_at_error(caplog):
    install()
    install()  # one observer, not two
    failure = Failure(ZeroDivisionError("division by zero"))
    with caplog.at_level(logging.ERROR, logger="streaming.transports.daphne"):
        Logger(namespace="twisted.internet.base").failure("while handling timed call", failure)
        Logger().info("a connection was made")  # no failure: not ours to log
    [record] = [r for r in caplog.records if r.name == "streaming.transports.daphne"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Twisted: while handling timed call"
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError
