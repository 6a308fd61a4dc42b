"""Draining the bus when the process stops: daphne's shutdown trigger stores what is queued."""

from __future__ import annotations

import subprocess

import pytest

from tests.streaming.log.conftest import ROOT, child_env, script, seqs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_daphne_shutdown_trigger_drains_the_queue(session):
    """Twisted's "before shutdown" trigger stores what is queued before the reactor stops."""
    body = """
    from twisted.internet import reactor  # daphne (an installed app) installed asyncioreactor
    from streaming.log.bus.shutdown import install_server_drain
    from streaming.log.models import Event as Row
    install_server_drain()
    def produce():
        with bound_session(SID):
            for i in range(2000):
                emit_sync(think(str(i)))
        reactor.callFromThread(reactor.stop)
    reactor.callInThread(produce)
    reactor.run()
    print(get_bus().queued(), Row.objects.filter(session_id=SID).count(), flush=True)
    os._exit(0)  # skip atexit: the reactor trigger alone must have drained the bus
    """
    out = subprocess.run(
        [*script(body), str(session.id)],
        env=child_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == ["0", "2000"]
    assert seqs(session.id) == list(range(1, 2001))
