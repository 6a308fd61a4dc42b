"""What `install` asks of daphne: 1009 instead of a dropped connection, a Flow per connection."""

from __future__ import annotations

from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory

from streaming.transports import daphne as daphne_patches
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


async def test_every_application_scope_gets_a_flow(monkeypatch):
    monkeypatch.setattr(daphne_patches, "FLOW_CONTROL", True)
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


async def test_connections_get_no_flow_by_default():
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
    assert [EXTENSION in (scope.get("extensions") or {}) for scope in seen] == [False, False]
