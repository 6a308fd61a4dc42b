"""Waiting for emits: `wait=True` returns the stored event, which is then never lost."""

from __future__ import annotations

import signal
import subprocess

import pytest

from streaming import bound_session, emit
from tests.streaming.log.bus.conftest import new_session, think
from tests.streaming.log.conftest import ROOT, child_env, script, seqs

pytestmark = pytest.mark.django_db(transaction=True)


async def test_emit_and_wait_returns_the_stored_event():
    sid = await new_session()
    with bound_session(sid):
        first = await emit(think("a"), wait=True)
        second = await emit(think("b"), wait=True)
    assert (first.seq, second.seq) == (1, 2)
    assert first.sid == sid


@pytest.mark.slow
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
