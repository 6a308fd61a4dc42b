"""An outage of a dependency is one WARNING when it starts and one INFO when it ends."""

from __future__ import annotations

import logging
import socket

import pytest

from streaming.log import outages
from streaming.testing import eventually_sync


@pytest.fixture
def outage():
    return outages.Outage("database")


def records(caplog, level):
    return [r for r in caplog.records if r.name == "streaming.log.outages" and r.levelno == level]


def test_many_failures_are_one_warning_and_the_recovery_one_info(outage, caplog):
    caplog.set_level(logging.INFO, logger="streaming.log.outages")
    outage.recovered()  # nothing was down: nothing to say
    for attempt in range(300):
        outage.failed(OSError(f"connection refused {attempt}"))
    assert outage.down
    assert [r.getMessage() for r in records(caplog, logging.WARNING)] == [
        "the database is unavailable: connection refused 0"
    ]
    outage.recovered()
    outage.recovered()
    infos = [r.getMessage() for r in records(caplog, logging.INFO)]
    assert len(infos) == 1
    assert infos[0].startswith("the database is back after ")
    assert infos[0].endswith("(300 failed operations meanwhile)")
    assert not outage.down


def test_a_second_outage_is_reported_again(outage, caplog):
    caplog.set_level(logging.INFO, logger="streaming.log.outages")
    for _ in range(2):
        outage.failed("down")
        outage.failed("still down")
        outage.recovered()
    assert len(records(caplog, logging.WARNING)) == 2
    assert len(records(caplog, logging.INFO)) == 2


def test_channels_redis_receive_errors_count_into_the_layers_outage(caplog):
    layer = outages.channel_layer
    layer.recovered()
    log = logging.getLogger("channels_redis.pubsub.test")
    log.addFilter(outages.ChannelsRedisReceiveErrors())
    caplog.set_level(logging.INFO)
    try:
        for _ in range(5):
            try:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6390")
            except ConnectionError:
                log.exception("Unexpected exception in receive task")
        log.error("something else entirely")
        assert layer.down
        assert layer.failures == 5
    finally:
        layer.recovered()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["something else entirely"]
    warnings = [r.getMessage() for r in records(caplog, logging.WARNING)]
    assert warnings == ["the channel layer is unavailable: Error 111 connecting to 127.0.0.1:6390"]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (__import__("django.db", fromlist=["OperationalError"]).OperationalError("x"), True),
        (__import__("sqlite3").OperationalError("locked"), True),
        (ValueError("a bug"), False),
    ],
)
def test_database_errors_are_told_from_bugs(exc, expected):
    assert outages.is_database_error(exc) is expected


def test_while_down_new_work_asks_at_most_once_a_second(outage, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: now[0])
    assert outage.worth_trying()
    outage.failed(OSError("refused"))
    assert not outage.worth_trying()
    outage.failed(outages.Unavailable("the database"))  # refused at once: no new attempt made
    now[0] += outages.Outage.RETRY_INTERVAL
    assert outage.worth_trying()
    outage.failed(OSError("still refused"))
    assert not outage.worth_trying()
    outage.recovered()
    assert outage.worth_trying()


@pytest.mark.postgres
def test_the_pools_failed_connects_begin_an_outage_and_its_next_connect_ends_it(
    postgres_url, monkeypatch, caplog
):
    """psycopg's own pool, under the project's logging: its reconnect warnings are one WARNING
    of ours, and the connection it adds once the server answers is the INFO; a server process
    whose streams are fed by the doorbell may read nothing to tell it otherwise."""
    from psycopg.conninfo import make_conninfo
    from psycopg_pool import ConnectionPool

    database = outages.Outage("database")
    monkeypatch.setattr(outages, "database", database)
    caplog.set_level(logging.INFO, logger="streaming.log.outages")
    with socket.socket() as unused:  # a port where no server listens
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    live = make_conninfo(postgres_url.replace("postgres://", "postgresql://", 1))
    pool = ConnectionPool(make_conninfo(live, port=port), min_size=1, open=False)
    pool.open(wait=False)
    try:
        eventually_sync(lambda: database.failures >= 2, what="the pool's failed reconnects counted")
        assert database.down
        pool.conninfo = live  # the server is back where the pool looks for it
        eventually_sync(lambda: not database.down, what="the pool's next connection: back")
    finally:
        pool.close()
    ours = [r for r in caplog.records if r.name == outages.__name__]
    assert [r.levelno for r in ours] == [logging.WARNING, logging.INFO]
    assert ours[0].getMessage().startswith("the database is unavailable: error connecting in")
    assert ours[1].getMessage().startswith("the database is back after ")
    # The pool's own records stop at the filter: none reaches a handler.
    assert not [r.getMessage() for r in caplog.records if r.name == "psycopg.pool"]
