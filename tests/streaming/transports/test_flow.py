"""Flow: a connection's writability as Twisted reports it, and the byte budget of a stream."""

from __future__ import annotations

import asyncio

import pytest

from streaming.transports.flow import EXTENSION, Flow, flow_of


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
    flow.start()
    await asyncio.wait_for(flow.sent(10_000_000, budget=1), 1)
    assert not flow.paused


async def test_a_paused_connection_waits_past_its_budget_until_it_drains():
    transport = Transport()
    flow = Flow(transport)
    flow.start()
    assert transport.producer is flow
    flow.pauseProducing()  # Twisted: the transport's buffer is full
    await asyncio.wait_for(flow.sent(600, budget=1000), 1)  # within the budget: goes on
    waiting = asyncio.create_task(flow.sent(600, budget=1000))  # 1,200 queued: past it
    await asyncio.sleep(0)
    assert not waiting.done()
    flow.resumeProducing()  # Twisted: drained
    await asyncio.wait_for(waiting, 1)
    assert flow.sent_while_paused == 0


async def test_stopping_releases_waiters_and_unregisters():
    transport = Transport()
    flow = Flow(transport)
    flow.start()
    flow.pauseProducing()
    waiting = asyncio.create_task(flow.sent(2, budget=1))
    await asyncio.sleep(0)
    flow.stop()
    await asyncio.wait_for(waiting, 1)
    assert transport.producer is None


async def test_a_transport_that_refuses_the_producer_leaves_the_stream_unbounded():
    flow = Flow(Transport(refuse=True))
    flow.start()  # logged at debug, never raised
    flow.stop()
    await asyncio.wait_for(flow.sent(1, budget=0), 1)


@pytest.mark.parametrize(
    ("scope", "found"),
    [({}, False), ({"extensions": None}, False), ({"extensions": {EXTENSION: "x"}}, False)],
)
def test_flow_of_a_scope_without_one_is_none(scope, found):
    assert (flow_of(scope) is not None) is found


def test_flow_of_finds_the_servers_flow():
    flow = Flow(Transport())
    assert flow_of({"extensions": {EXTENSION: flow}}) is flow
