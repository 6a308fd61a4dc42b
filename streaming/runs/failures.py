"""How a failed workflow is told to its user: a message they can act on, never a traceback.

Workflows raise `WorkflowError` with such a message (and the agent that failed); anything else is
an internal error, described in general terms. Either way the runner logs the full traceback with
the session id, emits an `error` event with the message, then the session's `failed` event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


class WorkflowError(Exception):
    """A workflow failure whose message is meant for the user; `agent` names who failed."""

    def __init__(self, message: str, *, agent: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.agent = agent


@dataclass(frozen=True)
class Failure:
    """What the user is told: who failed (None: the runner itself) and why."""

    agent: str | None
    message: str
    reason: str


def describe(exc: BaseException, session_id: uuid.UUID) -> Failure:
    """Return the user-facing account of `exc`, raised by the workflow of `session_id`."""
    if isinstance(exc, WorkflowError):
        return Failure(exc.agent, exc.message, "workflow_error")
    return Failure(
        None,
        f"The workflow stopped on an internal error. The operators can find the details in the "
        f"server log under session {session_id}; starting a new session may succeed.",
        "internal_error",
    )
