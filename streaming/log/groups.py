"""Channel-layer names: the one place a session's group name is made."""

from __future__ import annotations

import uuid

EVENTS_MESSAGE = "stream.events"


def session_group(session_id: uuid.UUID | str) -> str:
    """Return the channel-layer group that a session's events are published to."""
    sid = session_id if isinstance(session_id, uuid.UUID) else uuid.UUID(str(session_id))
    return f"session.{sid.hex}"
