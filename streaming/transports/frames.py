"""WebSocket frames of docs/protocol.md: reading the client's, writing the server's.

Client frames are JSON objects: ``{"type": "ping"}``, ``{"type": "cancel"}`` and
``{"type": "resume", "after": N}``. Anything else is a `BadFrame` whose `code` is the `error`
frame's code: `too_large` past the size limit, `bad_request` for the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from streaming.log.follow import WireEvent

CLIENT_TYPES = frozenset({"ping", "cancel", "resume"})


class BadFrame(Exception):
    """A client frame docs/protocol.md refuses; answered with an `error` frame, socket kept open."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ClientFrame:
    type: str
    after: int | None = None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_frame(text_data: str | None, bytes_data: bytes | None, *, max_bytes: int) -> ClientFrame:
    """Return the client frame in `text_data` (or UTF-8 `bytes_data`), or raise `BadFrame`."""
    size = len(bytes_data) if text_data is None and bytes_data else len((text_data or "").encode())
    if size > max_bytes:
        raise BadFrame("too_large", f"frames are limited to {max_bytes} bytes")
    try:
        text = text_data if text_data is not None else (bytes_data or b"").decode()
        obj = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise BadFrame("bad_request", "the frame is not JSON") from exc
    if not isinstance(obj, dict):
        raise BadFrame("bad_request", "a frame must be a JSON object")
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise BadFrame("bad_request", 'a frame needs a string "type"')
    if kind not in CLIENT_TYPES:
        raise BadFrame("bad_request", f"unknown frame type {kind[:40]!r}")
    if kind != "resume":
        return ClientFrame(kind)
    after = obj.get("after")
    if isinstance(after, bool) or not isinstance(after, int):
        raise BadFrame("bad_request", '"after" must be an integer')
    return ClientFrame(kind, after=after)


def control(kind: str, **fields: Any) -> str:
    """Return a control frame (`pong`, `end`, `error`) as JSON text."""
    return json.dumps({"type": kind, **fields}, separators=(",", ":"))


def error(code: str, detail: str) -> str:
    return control("error", code=code, detail=detail)


def event_frames(batch: list[WireEvent], *, max_bytes: int) -> Iterator[str]:
    """Yield `batch` as frames: one event alone as itself, more as `events` batches of at most
    `max_bytes` (an event larger than that goes in a batch of its own)."""
    if len(batch) == 1:
        yield batch[0].text
        return
    chunk: list[str] = []
    size = 0
    for wire in batch:
        if chunk and size + len(wire.text) > max_bytes:
            yield _batch(chunk)
            chunk, size = [], 0
        chunk.append(wire.text)
        size += len(wire.text) + 1
    if chunk:
        yield _batch(chunk)


def _batch(texts: list[str]) -> str:
    return '{"type":"events","events":[' + ",".join(texts) + "]}"
