"""Fixtures and helpers of the streaming tests: WebSocket, SSE and daphne clients over the real
stack, and sessions filled through the bus or behind its back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator
from django.test import Client

from streaming import Event, bound_session, emit, testing
from streaming.log.store import record_events
from streaming.testing import eventually

ORIGIN = b"http://localhost"


def asgi_app() -> Any:
    from project.asgi import application

    return application


def login_cookie(user) -> str:
    """Return a `Cookie` header value holding a logged-in Django session of `user`."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


alogin_cookie = sync_to_async(login_cookie)


def ws_client(
    path: str, *, cookie: str | None = None, origin: bytes | None = ORIGIN
) -> WebsocketCommunicator:
    """A communicator through project.asgi.application (origin check, login, routing)."""
    headers = [(b"host", b"localhost")]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(asgi_app(), path, headers=headers)


async def ws_open(path: str, **kwargs: Any) -> WebsocketCommunicator:
    client = ws_client(path, **kwargs)
    connected, _ = await client.connect(timeout=5)
    assert connected
    return client


def seqs_of(frame: dict[str, Any]) -> list[int]:
    """Return the seqs an event or `events` batch frame carries ([] for control frames)."""
    if "seq" in frame:
        return [frame["seq"]]
    if frame.get("type") == "events":
        return [event["seq"] for event in frame["events"]]
    return []


async def ws_until_end(
    client: WebsocketCommunicator, within: float = 10
) -> tuple[list[int], dict[str, Any]]:
    """Read frames until `end`; return the seqs received in order and the end frame."""
    seqs: list[int] = []
    while True:
        frame = await client.receive_json_from(timeout=within)
        if frame.get("type") == "end":
            return seqs, frame
        assert frame.get("type") != "error", frame
        seqs.extend(seqs_of(frame))


async def ws_close_code(client: WebsocketCommunicator, within: float = 5) -> int | None:
    """Skip frames until the server closes the socket; return the close code."""
    while True:
        output = await client.receive_output(timeout=within)
        if output["type"] == "websocket.close":
            return output.get("code")


def think(n: int) -> Event:
    return Event.for_agent("research", "think", f"thought {n}")


async def emit_events(
    session_id: uuid.UUID, count: int, *, start: bool = True, end: str | None = "completed"
) -> None:
    """Emit `started`, `count` agent events and a terminal event into the session, stored."""
    with bound_session(session_id):
        if start:
            await emit(Event.for_session("started", "go"))
        for n in range(count):
            await emit(think(n))
        if end is not None:
            await emit(Event.for_session(end, "over"), wait=True)
        else:
            from streaming import flush

            await flush()


class SseClient:
    """Drive Django's ASGI app for one streaming GET: read chunks, disconnect when done."""

    def __init__(self, path: str, *, query: str = "", headers: Iterable[tuple[bytes, bytes]] = ()):
        scope = testing.http_scope(path, query=query, headers=headers)
        self.communicator = ApplicationCommunicator(asgi_app(), scope)
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.buffer = ""
        self.finished = False

    async def start(self, within: float = 5) -> SseClient:
        await self.communicator.send_input({"type": "http.request", "body": b""})
        start = await self.communicator.receive_output(within)
        assert start["type"] == "http.response.start"
        self.status = start["status"]
        self.headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return self

    async def chunk(self, within: float = 5) -> str:
        message = await self.communicator.receive_output(within)
        assert message["type"] == "http.response.body"
        text = message.get("body", b"").decode()
        self.buffer += text
        if not message.get("more_body", False):
            self.finished = True
        return text

    async def body(self, within: float = 10) -> str:
        """Read until the response ends; return the whole body."""
        while not self.finished:
            await self.chunk(within)
        await self.communicator.wait(within)  # let the handler finish (it closes the body file)
        return self.buffer

    def messages(self) -> list[dict[str, str]]:
        """Parse the SSE messages read so far (comments are kept under key ":")."""
        parsed = []
        for block in self.buffer.split("\n\n"):
            if not block.strip():
                continue
            fields: dict[str, str] = {}
            for line in block.split("\n"):
                key, _, value = line.partition(":")
                fields[key or ":"] = value[1:] if value.startswith(" ") else value
            parsed.append(fields)
        return parsed

    def seqs(self) -> list[int]:
        return [int(m["id"]) for m in self.messages() if "id" in m]

    def end(self) -> dict[str, Any] | None:
        for message in self.messages():
            if message.get("event") == "end":
                return json.loads(message["data"])
        return None

    async def read_until_end(self, within: float = 10) -> dict[str, Any]:
        while (end := self.end()) is None:
            assert not self.finished, self.buffer
            await self.chunk(within)
        return end

    async def disconnect(self, within: float = 5) -> None:
        await self.communicator.send_input({"type": "http.disconnect"})
        with contextlib.suppress(asyncio.CancelledError):
            await self.communicator.wait(within)


@pytest.fixture
def fast_streams(settings):
    """Short idle polls and keepalives so tests of them run in well under a second."""
    settings.AGENTSTREAM_IDLE_POLL_SECONDS = 0.05
    settings.AGENTSTREAM_SSE_KEEPALIVE_SECONDS = 0.2
    return settings


@pytest.fixture
def fast_password_hasher(settings):
    """Users made by fixtures hash their password cheaply (tests only ever force_login)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DaphneServer:
    """A real `daphne project.asgi:application` process on a free loopback port."""

    def __init__(self, env: dict[str, str], log_path: str) -> None:
        self.port = free_port()
        self.log = open(log_path, "wb")  # noqa: SIM115 closed in stop()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "daphne", "-v", "1"),
                *("-b", "127.0.0.1", "-p", str(self.port), "project.asgi:application"),
            ],
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def ready(self, within: float = 30) -> DaphneServer:
        """Return once /healthz answers 200 (fail at once if the process exits)."""
        import httpx

        async with httpx.AsyncClient() as client:

            async def healthy() -> bool:
                if self.process.poll() is not None:
                    pytest.fail(f"daphne exited with {self.process.returncode}: {self.read_log()}")
                try:
                    response = await client.get(f"{self.http}/healthz", timeout=2)
                except httpx.HTTPError as error:
                    raise AssertionError(f"no answer yet ({error!r})") from error
                assert response.status_code == 200, response.text
                return True

            try:
                await eventually(healthy, within=within, interval=0.1, what=f"daphne {self.http}")
            except AssertionError as error:
                raise AssertionError(f"{error}\n{self.read_log()}") from error
        return self

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        self.kill()
        self.log.close()

    def read_log(self) -> str:
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]


@sync_to_async
def store(session_id: uuid.UUID, count: int, *, end: bool = False) -> None:
    """Store events directly (no bus, no group message): only the database knows of them."""
    events = [think(n) for n in range(count)]
    if end:
        events.append(Event.for_session("completed", "done"))
    record_events(session_id=session_id, events=events)
