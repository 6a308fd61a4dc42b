"""Cancel signals between processes: each session's control group, and a runner's listener.

A runner joins the group `control_group(sid)` with its own channel (from `new_channel()`) while
it runs the session; `request_cancel` in any process sends ``{"type": "runner.cancel"}`` to that
group. The layer may drop it: the runner also finds the request in the database.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

CANCEL_MESSAGE = "runner.cancel"


def control_group(session_id: uuid.UUID) -> str:
    """Return the channel-layer group the runner of `session_id` listens on for cancels."""
    return f"runner.{session_id.hex}"


async def signal_cancel(layer: Any, session_id: uuid.UUID) -> None:
    """Ask whichever process runs `session_id` to cancel it."""
    if layer is not None:
        await layer.group_send(
            control_group(session_id), {"type": CANCEL_MESSAGE, "sid": str(session_id)}
        )


async def listen(layer: Any, channel: str, cancel: Callable[[uuid.UUID], object]) -> None:
    """Receive on `channel` forever, calling `cancel(session_id)` for each cancel signal."""
    while True:
        try:
            message = await layer.receive(channel)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("receiving on the runner's control channel %s failed", channel)
            await asyncio.sleep(1.0)
            continue
        if message.get("type") != CANCEL_MESSAGE:
            continue
        try:
            session_id = uuid.UUID(str(message.get("sid")))
        except ValueError:
            logger.warning("a malformed cancel signal was ignored: %r", message)
            continue
        cancel(session_id)
