"""The session ContextVar reaches every place agent code runs, and never leaks."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TypedDict

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from langgraph.graph import END, START, StateGraph

from streaming import (
    Event,
    bind_session,
    bound_session,
    emit,
    emit_sync,
    flush,
    get_session_id,
    reset_session,
)
from streaming.log.models import Event as Row
from tests.conftest import make_session, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _messages(session_id: uuid.UUID) -> list[str]:
    return list(Row.objects.for_session(session_id).values_list("msg", flat=True))


async def messages(session_id: uuid.UUID) -> list[str]:
    await flush()
    return await sync_to_async(_messages)(session_id)


async def two_sessions():
    owner = await sync_to_async(make_user)("ctx")
    first = await sync_to_async(make_session)(owner)
    second = await sync_to_async(make_session)(owner)
    return first.id, second.id


def think(msg: str) -> Event:
    return Event.for_agent("research", "think", msg)


def test_bound_session_restores_the_previous_value():
    outer, inner = uuid.uuid4(), uuid.uuid4()
    assert get_session_id() is None
    with bound_session(outer):
        with bound_session(str(inner)) as bound:
            assert bound == inner
            assert get_session_id() == inner
        assert get_session_id() == outer
    assert get_session_id() is None


def test_bind_returns_a_token_that_reset_takes():
    sid = uuid.uuid4()
    token = bind_session(sid)
    try:
        assert get_session_id() == sid
    finally:
        reset_session(token)
    assert get_session_id() is None


def test_bound_session_resets_even_when_the_block_raises():
    with pytest.raises(RuntimeError), bound_session(uuid.uuid4()):
        raise RuntimeError("boom")
    assert get_session_id() is None


async def test_emit_deep_inside_nested_async_calls():
    first, second = await two_sessions()

    async def level3(tag: str) -> None:
        await emit(think(f"deep {tag}"))

    async def level2(tag: str) -> None:
        await asyncio.sleep(0)
        await level3(tag)

    async def level1(tag: str) -> None:
        await level2(tag)

    with bound_session(first):
        await level1("a")
    with bound_session(second):
        await level1("b")
    assert await messages(first) == ["deep a"]
    assert await messages(second) == ["deep b"]


async def test_create_task_and_task_group_inherit_the_session():
    first, second = await two_sessions()

    async def work(tag: str) -> None:
        await asyncio.sleep(0.001)  # emit once the creator has left the bound block
        await emit(think(tag))

    with bound_session(first):
        task = asyncio.create_task(work("task"))
    with bound_session(second):
        async with asyncio.TaskGroup() as group:
            group.create_task(work("group-1"))
            group.create_task(work("group-2"))
    await task
    assert await messages(first) == ["task"]
    assert sorted(await messages(second)) == ["group-1", "group-2"]


async def test_to_thread_and_sync_to_async_carry_the_session():
    first, second = await two_sessions()

    def sync_work(tag: str) -> None:
        emit_sync(think(tag))

    with bound_session(first):
        await asyncio.to_thread(sync_work, "to_thread")
    with bound_session(second):
        await sync_to_async(sync_work, thread_sensitive=False)("sync_to_async")
    assert await messages(first) == ["to_thread"]
    assert await messages(second) == ["sync_to_async"]


async def test_async_to_sync_inside_a_thread_carries_the_session():
    first, _ = await two_sessions()

    def thread_body() -> None:
        async_to_sync(emit)(think("async_to_sync"))

    with bound_session(first):
        await asyncio.to_thread(thread_body)
    assert await messages(first) == ["async_to_sync"]


async def test_thread_pool_needs_copy_context(settings):
    settings.AGENTSTREAM_EMIT_WITHOUT_SESSION = "raise"
    first, _ = await two_sessions()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=2) as pool, bound_session(first):
        context = contextvars.copy_context()
        await loop.run_in_executor(pool, context.run, emit_sync, think("copied"))
        # Without copy_context a plain executor thread sees no session at all.
        seen = await loop.run_in_executor(pool, get_session_id)
    assert seen is None
    assert await messages(first) == ["copied"]


class _State(TypedDict, total=False):
    steps: list[str]


async def test_async_and_sync_langgraph_nodes_emit_into_the_session():
    first, second = await two_sessions()

    async def async_node(state: _State) -> _State:
        await emit(Event.for_agent("architect", "progress", "async node", pct=0.5))
        return {"steps": [*state.get("steps", []), "async"]}

    def sync_node(state: _State) -> _State:
        emit_sync(Event.for_agent("codesmith", "result", "sync node"))
        return {"steps": [*state.get("steps", []), "sync"]}

    builder = StateGraph(_State)
    builder.add_node("a", async_node)
    builder.add_node("s", sync_node)
    builder.add_edge(START, "a")
    builder.add_edge("a", "s")
    builder.add_edge("s", END)
    graph = builder.compile()

    with bound_session(first):
        run_first = asyncio.create_task(graph.ainvoke({"steps": []}))
    with bound_session(second):
        result = await graph.ainvoke({"steps": []})
    assert (await run_first)["steps"] == ["async", "sync"]
    assert result["steps"] == ["async", "sync"]
    assert await messages(first) == ["async node", "sync node"]
    assert await messages(second) == ["async node", "sync node"]


async def test_a_hundred_concurrent_sessions_never_see_each_others_events():
    owner = await sync_to_async(make_user)("many")
    sessions = [(await sync_to_async(make_session)(owner)).id for _ in range(100)]

    async def agent(index: int) -> None:
        for step in range(10):
            await emit(think(f"{index}:{step}"))
            await asyncio.sleep(0)

    async def run(index: int, sid: uuid.UUID) -> None:
        with bound_session(sid):
            await agent(index)

    await asyncio.gather(*(run(i, sid) for i, sid in enumerate(sessions)))
    await flush()

    def check() -> None:
        for index, sid in enumerate(sessions):
            rows = list(Row.objects.for_session(sid).values_list("seq", "msg"))
            assert [seq for seq, _ in rows] == list(range(1, 11))
            assert [msg for _, msg in rows] == [f"{index}:{step}" for step in range(10)]

    await sync_to_async(check)()
