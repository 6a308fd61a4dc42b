"""Flow: a connection's writability as Twisted reports it, and what the kernel may hold."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from twisted.internet.testing import StringTransport
from twisted.web.http import HTTPChannel

from streaming.transports.flow import EXTENSION, KERNEL_SHARE, Flow, flow_of


class Transport:
    """What Twisted's transports offer a push producer: register it, unregister it."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.producer: Flow | None = None
        self.refuse = refuse

    def registerProducer(self, producer: Flow, streaming: bool) -> None:
        if self.refuse:
            raise RuntimeError("Cannot register producer, because one is already registered")
        assert streaming
        self.producer = producer

    def unregisterProducer(self) -> None:
        self.producer = None


async def test_a_writable_connection_never_waits():
    flow = Flow(Transport())
    flow.start(budget=1024)
    await asyncio.wait_for(flow.writable(), 1)
    assert not flow.paused


async def test_a_paused_connection_waits_until_it_drains():
    transport = Transport()
    flow = Flow(transport)
    flow.start(budget=1024)
    assert transport.producer is flow
    flow.pauseProducing()  # Twisted: more than its buffer size waits to be written
    waiting = asyncio.create_task(flow.writable())
    await asyncio.sleep(0)
    assert not waiting.done()
    assert flow.paused
    flow.resumeProducing()  # Twisted: all of it written
    await asyncio.wait_for(waiting, 1)
    assert flow.pauses == 1
    assert not flow.paused


async def test_stopping_releases_waiters_and_unregisters():
    transport = Transport()
    flow = Flow(transport)
    flow.start(budget=1024)
    flow.pauseProducing()
    waiting = asyncio.create_task(flow.writable())
    await asyncio.sleep(0)
    flow.stop()
    await asyncio.wait_for(waiting, 1)
    assert transport.producer is None


async def test_a_transport_that_refuses_the_producer_leaves_the_stream_unbounded(caplog):
    flow = Flow(Transport(refuse=True))
    with caplog.at_level(logging.WARNING, "streaming.transports.flow"):
        flow.start(budget=1024)  # logged, never raised
    assert [r.getMessage() for r in caplog.records] == ["no flow control for this connection"]
    flow.stop()
    await asyncio.wait_for(flow.writable(), 1)


def test_a_websocket_takes_its_transport_over_from_the_http_channel_that_upgraded_it():
    # Twisted's HTTP channel registers itself as its transport's producer, and a transport
    # takes one: daphne hands the upgraded connection's transport to the WebSocket protocol
    # with the channel still registered.
    transport = StringTransport()
    channel = HTTPChannel()
    channel.makeConnection(transport)
    assert transport.producer is channel
    refused = Flow(transport)
    refused.start(budget=1024)
    assert transport.producer is channel  # without taking over: no flow control at all
    flow = Flow(transport, takes_over=True)
    flow.start(budget=1024)
    assert transport.producer is flow
    assert transport.streaming
    flow.stop()
    assert transport.producer is None


def test_the_kernel_send_buffer_is_capped_at_its_share_of_the_budget():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
        grown = connection.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        budget = 512 * 1024
        Flow(Transport(), handle=connection).start(budget=budget)
        capped = connection.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    # Linux doubles what it is asked for (its bookkeeping), and reports the doubled figure.
    assert capped == 2 * int(budget * KERNEL_SHARE), (grown, capped)


def test_a_streams_budget_is_half_the_client_buffer_by_default(settings):
    settings.AGENTSTREAM_CLIENT_BUFFER = 256 * 1024  # the other half is the tail's
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
        Flow(Transport(), handle=connection).start()
        capped = connection.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    assert capped == 2 * int(128 * 1024 * KERNEL_SHARE)


@pytest.mark.parametrize(
    ("scope", "found"),
    [({}, False), ({"extensions": None}, False), ({"extensions": {EXTENSION: "x"}}, False)],
)
def test_flow_of_a_scope_without_one_is_none(scope, found):
    assert (flow_of(scope) is not None) is found


def test_flow_of_finds_the_servers_flow():
    flow = Flow(Transport())
    assert flow_of({"extensions": {EXTENSION: flow}}) is flow
