"""The current session, held in a ContextVar that async calls, tasks and threads inherit.

Modelled on ``structlog.contextvars``: binding returns a token, resetting takes it, and the
``bound_session`` context manager restores whatever was bound before, so nothing leaks into the
caller. Tasks (``asyncio.create_task``, ``TaskGroup``), ``asyncio.to_thread``, asgiref's
``sync_to_async``/``async_to_sync`` and LangGraph nodes copy the context, and so see the session.
A plain ``ThreadPoolExecutor`` does not: submit ``contextvars.copy_context().run`` to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_current_session: ContextVar[uuid.UUID | None] = ContextVar("agentstream_session", default=None)


def get_session_id() -> uuid.UUID | None:
    """Return the session bound in the current context, or None."""
    return _current_session.get()


def bind_session(session_id: uuid.UUID | str) -> Token[uuid.UUID | None]:
    """Bind `session_id` as the current session and return the token that undoes it."""
    sid = session_id if isinstance(session_id, uuid.UUID) else uuid.UUID(str(session_id))
    return _current_session.set(sid)


def reset_session(token: Token[uuid.UUID | None]) -> None:
    """Restore the session that was current before the `bind_session` call that gave `token`."""
    _current_session.reset(token)


@contextmanager
def bound_session(session_id: uuid.UUID | str) -> Iterator[uuid.UUID]:
    """Bind `session_id` for the duration of the block, then restore the previous session."""
    token = bind_session(session_id)
    try:
        current = _current_session.get()
        assert current is not None  # bound just above
        yield current
    finally:
        reset_session(token)
