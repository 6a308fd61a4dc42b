"""streaming/testing.py's one way to wait: `eventually` and its sync twin, and how they fail."""

from __future__ import annotations

import itertools

import pytest

from streaming.testing import eventually, eventually_sync


async def test_eventually_returns_the_first_truthy_value_of_a_sync_or_async_check():
    counter = itertools.count()
    assert await eventually(lambda: max(next(counter) - 2, 0), interval=0) == 1

    calls = []

    async def third_time() -> str | None:
        calls.append(1)
        return "ready" if len(calls) == 3 else None

    assert await eventually(third_time, interval=0) == "ready"


async def test_eventually_fails_at_its_deadline_naming_what_and_the_last_value_seen():
    with pytest.raises(AssertionError, match=r"the answer: not within 0\.05 s .*last seen: \[\]"):
        await eventually(list, within=0.05, interval=0.01, what="the answer")


async def test_a_check_that_asserts_is_asked_again_and_its_last_failure_is_shown():
    seen = []

    def check() -> bool:
        seen.append(len(seen))
        assert len(seen) > 100, f"only {len(seen)} so far"
        return True

    with pytest.raises(AssertionError, match=r"last seen: only \d+ so far") as failure:
        await eventually(check, within=0.05, interval=0.01)
    assert isinstance(failure.value.__cause__, AssertionError)
    assert len(seen) > 1


def test_the_sync_twin_waits_and_fails_the_same_way():
    counter = itertools.count()
    assert eventually_sync(lambda: next(counter) >= 2, interval=0) is True
    with pytest.raises(AssertionError, match="the flag: not within"):
        eventually_sync(lambda: False, within=0.02, interval=0.01, what="the flag")

    async def check() -> bool:
        return True

    with pytest.raises(TypeError, match="needs `eventually`"):
        eventually_sync(check, within=0.02)
