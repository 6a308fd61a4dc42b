"""Several processes, server shutdown and kill -9: what is stored, and what can be lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from streaming.log.models import Event as Row
from streaming.testing import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import os, sys, uuid
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from streaming import Event, bound_session, emit_sync, flush_sync
from streaming.log.bus import get_bus
SID = uuid.UUID(sys.argv[1])
def think(msg):
    return Event.for_agent("research", "think", msg)
"""


def script(body: str) -> list[str]:
    return [sys.executable, "-c", PRELUDE + textwrap.dedent(body)]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_TEST_NAME"}}
    env["DATABASE_URL"] = database_url()
    env["PYTHONPATH"] = str(ROOT)
    return env


def seqs(session_id) -> list[int]:
    return list(Row.objects.for_session(session_id).values_list("seq", flat=True))


def test_two_processes_emitting_into_one_session_get_a_gapless_seq(session):
    body = """
    with bound_session(SID):
        for i in range(300):
            emit_sync(think(f"{os.getpid()}:{i}"))
        flush_sync()
    """
    children = [
        subprocess.Popen([*script(body), str(session.id)], env=child_env(), cwd=ROOT)
        for _ in range(2)
    ]
    for child in children:
        assert child.wait(timeout=120) == 0
    assert seqs(session.id) == list(range(1, 601))
    by_process: dict[str, list[int]] = {}
    for msg in Row.objects.for_session(session.id).values_list("msg", flat=True):
        pid, index = msg.split(":")
        by_process.setdefault(pid, []).append(int(index))
    assert sorted(by_process.values()) == [list(range(300))] * 2  # each process's order kept


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


def test_kill_9_never_loses_an_event_that_emit_and_wait_returned_for(session):
    body = """
    with bound_session(SID):
        i = 0
        while True:
            stored = emit_sync(think(str(i)), wait=True)
            print(stored.seq, flush=True)
            i += 1
    """
    child = subprocess.Popen(
        [*script(body), str(session.id)],
        env=child_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    confirmed: list[int] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            confirmed.append(int(line))
            if len(confirmed) >= 50:
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    stored = seqs(session.id)
    assert set(confirmed) <= set(stored)
    assert stored == list(range(1, len(stored) + 1))
